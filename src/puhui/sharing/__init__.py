"""Sharing: lawful cross-border data sharing — usage policies (ODRL 2.2) on items, jurisdiction
profiles as cited data, and the check that combines them into permit / conditional / deny.

Not legal advice: every decision names the rules it rests on and says when a jurisdiction's
profile has not been checked against its source. The hub keeps policies, access requests and
federation; this engine holds the rules and the formats.
"""
