"""Default configuration files (settings, sources, brand values) that ``radar init`` writes.

A package only so that the TOML files beside this module are installed with Vigie; read them with
:func:`radar.config_files.default_config_files`.
"""
