"""Risk assessment: the common risk taxonomy, its crosswalk to frameworks, and checklists."""
