"""Power of a pilot-versus-control design: the minimum detectable effect (MDE) of a two-group
comparison of means, with the normal formula or the exact t test, and the reduction a pre/post
(ANCOVA / difference-in-differences) design brings."""

from shidian.engine.power.mde import (
    Design,
    MdeResult,
    mde_curve,
    minimum_detectable_effect,
)

__all__ = ["Design", "MdeResult", "mde_curve", "minimum_detectable_effect"]
