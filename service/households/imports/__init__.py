"""The caseload import: KPM families and their businesses from a CSV or XLSX file, in bulk.

``contract`` (the columns), ``values`` (one cell), ``files`` (one file), ``rows`` (one row),
``run`` (the matching and the bulk writes), ``sheets`` (template, report, export), ``use_cases``
(what the API, the pages, the CLI and the job call).
"""

from service.households.imports.files import FileRefused
from service.households.imports.run import ImportOptions, ImportOutcome
from service.households.imports.use_cases import (
    KIND,
    FileProblem,
    Preview,
    check_file,
    export_caseload,
    file_problem,
    import_path,
    import_report,
    outcome_result,
    preview_upload,
    report_rows,
    start_import,
    submit_import,
    template_file,
    upload_file,
)

__all__ = [
    "KIND",
    "FileProblem",
    "FileRefused",
    "ImportOptions",
    "ImportOutcome",
    "Preview",
    "check_file",
    "export_caseload",
    "file_problem",
    "import_path",
    "import_report",
    "outcome_result",
    "preview_upload",
    "report_rows",
    "start_import",
    "submit_import",
    "template_file",
    "upload_file",
]
