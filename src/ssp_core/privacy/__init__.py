"""Privacy by design: keys, sealing, the identity vault, access, disclosure, retention, export.

The low-level modules (:mod:`~ssp_core.privacy.keys`, :mod:`~ssp_core.privacy.sealing`,
:mod:`~ssp_core.privacy.vault`) make, wrap and open keys with the one cipher of
:mod:`ssp_core.cipher`; the others work over a store and are composed by
:class:`ssp_core.Casework`. The store does not import this package: its codec takes
the cipher as a part and which fields are personal from :mod:`ssp_core.domain.fields`.
"""
