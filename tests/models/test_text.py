import torch


def test_minilm_token_embeddings(text_encoder):
    out = text_encoder.encode(["a red ball bounces on the grass", ""])
    assert out.tokens.shape[0] == 2 and out.tokens.shape[2] == 384
    assert out.mask.dtype == torch.bool
    assert out.mask[0].sum() > out.mask[1].sum() >= 2  # [CLS] and [SEP] even for the empty prompt
    assert torch.isfinite(out.tokens).all()


def test_paraphrases_land_closer_than_other_scenes(text_encoder):
    """What the pretrained encoder brings: paraphrases of a prompt are near each other."""

    def pooled(prompt):
        e = text_encoder.encode([prompt])
        return torch.nn.functional.normalize(e.tokens[0][e.mask[0]].mean(0), dim=0)

    a = pooled("a red ball bounces on the grass")
    b = pooled("a crimson sphere bouncing on a lawn")
    c = pooled("a dark city street at night with neon signs")
    assert a @ b > a @ c


def test_unknown_encoder_is_named():
    import pytest

    from kinema.models.text import TextConfig, load_text_encoder

    with pytest.raises(ValueError, match="unknown text encoder 't5-xxl'"):
        load_text_encoder(TextConfig(name="t5-xxl"))
