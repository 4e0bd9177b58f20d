from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dancescrape.ops.secrets import mask_secrets, register_secret


def test_credential_shapes_are_masked() -> None:
    assert mask_secrets("postgresql://u:pw123@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_secrets("https://x/?token=abc&x=1") == "https://x/?token=***&x=1"
    assert mask_secrets("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert mask_secrets("host=db password=s3cret dbname=x") == "host=db password=*** dbname=x"
    assert mask_secrets("plain text stays") == "plain text stays"


@given(
    secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=40),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_registered_secrets_never_survive(secret: str, before: str, after: str) -> None:
    register_secret(secret)
    assert secret not in mask_secrets(before + secret + after)
