# tests/sandbox: filled in by its owner
