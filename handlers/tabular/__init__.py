"""Ledger files: the columns of SPEC §7, readers for .xlsx/.csv, the importer and exporter."""
