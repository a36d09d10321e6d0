"""Open Referral HSDS 3.0 out of and into the catalogue.

Jejaring publishes its resource map in the Human Services Data Specification (HSDS) 3.0, with a
small profile (served at ``/hsds/profile``):

* An organisation is an HSDS ``organization``; its service points are ``location`` rows (no
  ``address`` rows: HSDS requires a postal code, which Jejaring does not hold); a published
  programme (status ``active`` or ``paused``, never a draft or a closed one) is a ``service``; a
  programme's locations are ``service_at_location`` rows. Households and everything about them
  stay out.
* Programme kinds, business sectors and organisation kinds are three Jejaring taxonomies with
  stable term ids; services and organisations link to their terms through ``attribute`` rows.
  Values HSDS 3.0 has no column for travel as ``attribute.value`` of a term of a fourth taxonomy,
  ``jejaring-field``: the Kemendagri region code and the address of organisations and
  locations, the machine-readable eligibility rule (JSON), benefit amounts and the
  interest rate, and the role of a schedule (application window or programme validity).
* The rule tree's plain-language rendering (the words of ``mapping.labels``) becomes
  ``eligibility_description``; ``minimum_age``/``maximum_age`` come from the head's age
  criteria that every applicant must meet. Capacity becomes an HSDS 3.1 ``service_capacity``
  (``maximum`` = capacity, ``available`` = capacity remaining) with its ``unit`` (seats, or
  rupiah as ISO 4217 ``IDR``). The application window and the programme's validity are two
  ``schedule`` rows (``valid_from``/``valid_to``); the service area is one ``service_area`` per
  region, whose ``extent`` is the Kemendagri code (``extent_type`` ``text``).
* HSDS ids are UUIDs: ``uuid5`` of a fixed Jejaring namespace and the record's kind and integer
  id, so the same database always exports the same ids.

An export is a tabular data package: a zip of CSV files and the ``datapackage.json`` that
describes them (fields, types, primary and foreign keys) in the Frictionless Data format HSDS
uses. An import reads such a package (ours or another publisher's that carries the Jejaring
attributes) entity by entity: an organisation, a location or a service is written whole, with
every row that belongs to it, or refused whole with the CSV line and the reason; a location or
a service whose organisation (or a service whose location) was refused is refused too. Existing
records are matched, not duplicated or changed: by natural key (organisation name and region,
location organisation and name, programme organisation and name), or, for a package exported by
Jejaring, by the same uuid5 id when the name agrees. Programmes keep the status the package gives
(``active``, ``temporarily closed`` -> paused, ``inactive``/``defunct`` -> closed); any other
status lands as a draft, as does a service whose eligibility is described in words but carries no
machine-readable rule.

The package, by job: ``ids`` (the uuid5 ids), ``taxonomy`` (taxonomies, terms, attributes),
``words`` (rules and defaults in words), ``builder`` (records out of the catalogue), ``queries``
(the SQL), ``filters`` and ``read`` (the read API's checks and use cases), ``package`` (the
tabular data package: tables, descriptor, export, reading a zip), and the import: ``limits`` (the
bounds a package must stay within), ``report``, ``cells``, ``rows``, ``context``, ``importer``
(organisations, locations) and ``service_import``.
The names below are the domain's interface; its modules are free to move behind it.
"""

from service.hsds.builder import Builder, published_rule, unit_record
from service.hsds.filters import (
    check_proximity,
    check_region,
    organization_filters,
    parse_modified_after,
    service_filters,
)
from service.hsds.ids import (
    NAMESPACE,
    find_by_uuid,
    hsds_uuid,
    location_uuid,
    organization_uuid,
    parse_uuid,
    service_at_location_uuid,
    service_uuid,
)
from service.hsds.importer import import_actor, import_package
from service.hsds.limits import PackageLimits, PackageRefused
from service.hsds.package import (
    TABLE_BY_NAME,
    TABLES,
    Table,
    build_tables,
    datapackage_descriptor,
    export_package,
    flatten,
    read_zip,
)
from service.hsds.profile import HSDS_VERSION, PUBLISHED, REGION_SOURCE, STATUS_IN, STATUS_OUT
from service.hsds.queries import locations_near, published_programs
from service.hsds.read import ServiceQuery, page_body
from service.hsds.report import ImportReport, PackageError, Row
from service.hsds.taxonomy import (
    FIELD,
    FIELD_LABELS,
    ORGANIZATION_KIND,
    ORGANIZATION_KIND_LABELS,
    PROGRAM_KIND,
    PROGRAM_KIND_LABELS,
    SECTOR,
    TAXONOMIES,
    TERM_BY_CODE,
    TERMS,
    Taxonomy,
    Term,
    attribute_record,
    taxonomy_record,
    term,
    term_record,
)
from service.hsds.words import age_bounds, default_org_description, describe_rule

__all__ = [
    "FIELD",
    "FIELD_LABELS",
    "HSDS_VERSION",
    "NAMESPACE",
    "ORGANIZATION_KIND",
    "ORGANIZATION_KIND_LABELS",
    "PROGRAM_KIND",
    "PROGRAM_KIND_LABELS",
    "PUBLISHED",
    "REGION_SOURCE",
    "SECTOR",
    "STATUS_IN",
    "STATUS_OUT",
    "TABLES",
    "TABLE_BY_NAME",
    "TAXONOMIES",
    "TERMS",
    "TERM_BY_CODE",
    "Builder",
    "ImportReport",
    "PackageError",
    "PackageLimits",
    "PackageRefused",
    "Row",
    "ServiceQuery",
    "Table",
    "Taxonomy",
    "Term",
    "age_bounds",
    "attribute_record",
    "build_tables",
    "check_proximity",
    "check_region",
    "datapackage_descriptor",
    "default_org_description",
    "describe_rule",
    "export_package",
    "find_by_uuid",
    "flatten",
    "hsds_uuid",
    "import_actor",
    "import_package",
    "location_uuid",
    "locations_near",
    "organization_filters",
    "organization_uuid",
    "page_body",
    "parse_modified_after",
    "parse_uuid",
    "published_programs",
    "published_rule",
    "read_zip",
    "service_at_location_uuid",
    "service_filters",
    "service_uuid",
    "taxonomy_record",
    "term",
    "term_record",
    "unit_record",
]
