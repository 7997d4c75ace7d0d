"""Safety and provenance (PRODUCT.md §6): the prompt policy, output checks, and proof of origin.

- `policy`      every text a request carries, scored per category; `PolicyViolation` to refuse
- `names`       the curated name and term lists, matched robustly
- `output`      checks on a finished video's frames (nudity, NudeNet): held or pass
- `watermark`   an invisible payload in the frames that survives re-encoding, resizing, cropping
- `c2pa_manifest`  signed C2PA manifests (c2pa-python) and the local signing chain
- `fingerprint` perceptual hashes at 2 fps in a SQLite index
- `provenance`  the stamp the video writer applies: watermark, manifest, fingerprints
- `verify`      `kinema verify`: made here, not made here, or unknown
- `hooks`       what the service calls before queueing, on a finished video, and to verify
- `evaluate`    `kinema safety eval` on the held-out prompts
- `config`      safety.toml, the data folder, the installation id

Nothing heavy is imported here: the engines and the service's API process import what they use.
"""
