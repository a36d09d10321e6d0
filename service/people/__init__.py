"""People: facilitators and the user accounts that act for facilitators, organisations and forums."""
