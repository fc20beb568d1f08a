"""Audio: loading, separation, styles, mastering, watermark hand-off and encoding.

Modules are imported directly (``core.audio.mastering``, ``core.audio.encode``)
so that importing one stage does not pull in the heavy dependencies of another
(torch for separation, for instance).
"""
