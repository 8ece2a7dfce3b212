"""Synthetic raw exports for bistand, written to the contract in shared/spec/raw-exports.md.

``generate(out_dir, profile="tiny", seed=0, start=None, end=None)`` writes all ten exports.
"""

from .generate import generate
from .profiles import PROFILES, AreaSpec, Profile, get_profile

__all__ = ["PROFILES", "AreaSpec", "Profile", "generate", "get_profile"]
