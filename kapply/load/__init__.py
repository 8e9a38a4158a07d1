"""Loading: command-line paths -> parsed Kubernetes objects with source positions.

`loader.load_paths` is the entry point; `document` holds the values it returns (`Document`,
`LoadIssue`, `LoadResult`, `format_path`). Inside: `walk` finds files, `parse` turns one file into
documents, `syntax` composes YAML nodes (libyaml), `construct` builds plain values strictly and
boundedly, `positions` finds a field's line and column on demand. Nothing is imported here, so
importing `kapply.load.document` stays cheap (no YAML library) for the CLI's start-up.
"""
