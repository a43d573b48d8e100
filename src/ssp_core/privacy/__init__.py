"""Privacy by design: keys, sealing, the identity vault, access, disclosure, retention, export.

The low-level modules (:mod:`~ssp_core.privacy.keys`, :mod:`~ssp_core.privacy.sealing`,
:mod:`~ssp_core.privacy.fields`) depend only on the domain and are used by the store's
codec; the others work over a store and are composed by :class:`ssp_core.Casework`.
"""
