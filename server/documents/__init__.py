"""Official documents: kinds, templates, sandboxed rendering, barcodes, PDF, provenance."""
