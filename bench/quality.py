"""Size and quality of the `medium` variant in each format (part of `bench.variants`).

For each photo-like picture (bench.photos.natural, 24 MP, a quality-95 JPEG as uploaded), the processing makes
`medium` (800 px) as JPEG, WebP and AVIF with the settings in `media/formats.py`; each is compared
with a reference: the original decoded whole and resized with Lanczos to the same size, never encoded.
The score is SSIM on luminance (scikit-image, Gaussian window, sigma 1.5, as in Wang et al. 2004), the
customary measure for codecs, as chroma is subsampled by design.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
import pyvips
from skimage.metrics import structural_similarity

from bench import photos
from nexus_core.media import formats, processing

WIDTH, HEIGHT = 6000, 4000
SEEDS = (1, 2, 3)
MEDIUM = {"medium": 800}
MAX_SHARE = {formats.WEBP: 0.75, formats.AVIF: 0.5}
MIN_SSIM = 0.97


@dataclass(frozen=True)
class Scored:
    size: int
    ssim: float


def measure() -> dict[int, dict[str, Scored]]:
    """For each picture (by seed), each format's medium: bytes and SSIM."""
    return {seed: _score(photos.natural_jpeg(WIDTH, HEIGHT, seed=seed)) for seed in SEEDS}


def _score(original: bytes) -> dict[str, Scored]:
    outputs = (formats.JPEG, formats.WEBP, formats.AVIF)
    made = processing.generate_variants(
        original, formats.JPEG, max_pixels=10**8, widths=MEDIUM, outputs=outputs
    )
    whole = pyvips.Image.new_from_buffer(original, "")
    reference = _luminance(whole.resize(MEDIUM["medium"] / whole.width, kernel="lanczos3"))
    return {
        variant.mime_type: Scored(
            len(variant.data), _ssim(reference, _luminance(pyvips.Image.new_from_buffer(variant.data, "")))
        )
        for variant in made.variants
    }


def _luminance(image: pyvips.Image) -> numpy.ndarray:
    grey = image.colourspace("b-w")[0].cast("uchar")
    return numpy.ndarray(buffer=grey.write_to_memory(), dtype=numpy.uint8, shape=(grey.height, grey.width))


def _ssim(reference: numpy.ndarray, candidate: numpy.ndarray) -> float:
    return float(
        structural_similarity(
            reference,
            candidate,
            data_range=255,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
    )


def report(results: dict[int, dict[str, Scored]]) -> tuple[list[str], list[tuple[str, str, bool]]]:
    lines = [
        f"Medium (800 px) per format: bytes, share of the JPEG's, luminance SSIM against a Lanczos resize of the "
        f"original; {len(SEEDS)} photo-like {WIDTH * HEIGHT / 1e6:.0f} MP pictures"
    ]
    checks = []
    for seed, scored in results.items():
        jpeg = scored[formats.JPEG]
        cells = [
            f"{formats.BY_MIME[mime].name} {score.size:,} B ({score.size / jpeg.size:.0%}) SSIM {score.ssim:.4f}"
            for mime, score in scored.items()
        ]
        lines.append(f"  picture {seed}: " + " | ".join(cells))
    for mime, share in MAX_SHARE.items():
        name = formats.BY_MIME[mime].name
        worst_share = max(scored[mime].size / scored[formats.JPEG].size for scored in results.values())
        worst_ssim = min(scored[mime].ssim for scored in results.values())
        checks.append(
            (
                f"{name} medium <= {share:.0%} of JPEG's bytes, SSIM >= {MIN_SSIM}",
                f"at most {worst_share:.0%}, SSIM at least {worst_ssim:.4f}",
                worst_share <= share and worst_ssim >= MIN_SSIM,
            )
        )
    return lines, checks
