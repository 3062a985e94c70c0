import pytest
from sqlmodel import Session, select

from nexus_core import accounts, projects
from nexus_core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from nexus_core.models import ApiKey, Role
from nexus_core.models.base import as_utc, utcnow
from tests.factories import PASSWORD, admin_of, make_member, make_project, make_user


def test_password_is_stored_as_an_argon2_hash(session: Session) -> None:
    user = make_user(session, "Ada@Example.com")
    assert user.email == "ada@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [("not-an-email", PASSWORD, InvalidInput), ("a@example.com", "short", InvalidInput)],
)
def test_create_user_refuses_bad_input(session: Session, email: str, password: str, error: type) -> None:
    with pytest.raises(error):
        accounts.create_user(session, email=email, password=password)


def test_duplicate_email_is_refused_whatever_the_case(session: Session) -> None:
    make_user(session, "bob@example.com")
    with pytest.raises(Conflict):
        accounts.create_user(session, email="BOB@example.com", password=PASSWORD)


def test_authenticate(session: Session) -> None:
    user = make_user(session, "carol@example.com")
    assert accounts.authenticate(session, email=" Carol@example.com ", password=PASSWORD).id == user.id
    for email, password in [("carol@example.com", "wrong password"), ("nobody@example.com", PASSWORD)]:
        with pytest.raises(NotAuthenticated, match="Wrong email or password"):
            accounts.authenticate(session, email=email, password=password)


def test_api_key_token_is_shown_once_and_only_its_hash_kept(session: Session) -> None:
    actor = admin_of(session, make_project(session))
    issued = accounts.issue_api_key(
        session, project_id=actor.project_id, user_id=actor.user_id, name="site build"
    )
    stored = session.exec(select(ApiKey)).one()
    assert issued.token.startswith(f"nx_{stored.prefix}_")
    assert issued.token not in (stored.key_hash, stored.prefix)
    assert issued.token.split("_", 2)[2] not in stored.key_hash
    assert accounts.actor_for_api_token(session, issued.token) == actor
    assert session.get(ApiKey, stored.id).last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "nx_" + t, str.upper, lambda t: ""],
)
def test_tampered_or_malformed_tokens_are_refused(session: Session, mangle) -> None:
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    with pytest.raises(NotAuthenticated):
        accounts.actor_for_api_token(session, mangle(token))


def test_revoked_key_is_refused(session: Session) -> None:
    actor = admin_of(session, make_project(session))
    issued = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id)
    accounts.revoke_api_key(session, actor=actor, key_id=issued.key.id)
    with pytest.raises(NotAuthenticated):
        accounts.actor_for_api_token(session, issued.token)


def test_key_of_a_removed_member_stops_working(session: Session) -> None:
    project = make_project(session)
    editor = make_member(session, project, Role.EDITOR)
    token = accounts.issue_api_key(session, project_id=editor.project_id, user_id=editor.user_id).token
    other_admin = admin_of(session, project)
    assert other_admin.role is Role.ADMIN
    from nexus_core.models import Membership

    session.delete(session.exec(select(Membership).where(Membership.user_id == editor.user_id)).one())
    session.commit()
    with pytest.raises(NotAuthenticated):
        accounts.actor_for_api_token(session, token)


def test_only_admins_create_or_list_keys(session: Session) -> None:
    project = make_project(session)
    editor = make_member(session, project, Role.EDITOR)
    viewer = make_member(session, project, Role.VIEWER)
    for owner in (viewer, editor):
        with pytest.raises(Forbidden):
            accounts.create_api_key(session, actor=editor, user_id=owner.user_id)
    with pytest.raises(Forbidden):
        accounts.list_api_keys(session, actor=editor)
    admin = admin_of(session, project)
    assert accounts.create_api_key(session, actor=admin, user_id=viewer.user_id).token.startswith("nx_")


def test_operator_keys_need_membership(session: Session) -> None:
    project = make_project(session)
    stranger = make_user(session)
    with pytest.raises(NotFound):
        accounts.issue_api_key(session, project_id=project.id, user_id=stranger.id)


def test_project_owner_is_admin_and_slugs_are_checked(session: Session) -> None:
    owner = make_user(session)
    project = projects.create_project(session, name="Blog", slug="blog", owner=owner)
    assert projects.actor_for(session, user_id=owner.id, project_id=project.id).role is Role.ADMIN
    with pytest.raises(Conflict):
        projects.create_project(session, name="Blog 2", slug="blog", owner=owner)
    for bad in ["Blog", "-blog", "blog_", "b" * 65, "", "../x"]:
        with pytest.raises(InvalidInput):
            projects.create_project(session, name="X", slug=bad, owner=owner)


def test_last_admin_cannot_be_demoted(session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner=owner)
    with pytest.raises(Conflict, match="at least one admin"):
        projects.set_member_role(session, actor=None, user=owner, project=project, role=Role.EDITOR)


def test_repeated_failures_pause_sign_in(session: Session) -> None:
    from nexus_core.throttle import MAX_FAILURES_PER_ACCOUNT_AND_CLIENT, WINDOW_SECONDS, LoginThrottle

    clock = [1000.0]
    throttle = LoginThrottle(clock=lambda: clock[0])
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
        throttle.check(email="a@example.com", client="1.2.3.4")
        throttle.failed(email="a@example.com", client="1.2.3.4")
    with pytest.raises(NotAuthenticated, match="try again in 15 minutes"):
        throttle.check(email="a@example.com", client="1.2.3.4")
    throttle.check(email="b@example.com", client="5.6.7.8")  # other people are not affected
    clock[0] += WINDOW_SECONDS + 1
    throttle.check(email="a@example.com", client="1.2.3.4")


def test_authenticate_is_throttled_even_with_the_right_password(session: Session) -> None:
    from nexus_core.throttle import MAX_FAILURES_PER_ACCOUNT_AND_CLIENT, login_throttle

    make_user(session, "dana@example.com")
    try:
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
            with pytest.raises(NotAuthenticated, match="Wrong email or password"):
                accounts.authenticate(session, email="dana@example.com", password="guess", client="9.9.9.9")
        with pytest.raises(NotAuthenticated, match="Too many failed sign-ins"):
            accounts.authenticate(session, email="dana@example.com", password=PASSWORD, client="9.9.9.9")
    finally:
        login_throttle.succeeded(email="dana@example.com", client="9.9.9.9")


def test_api_key_use_is_recorded_to_the_minute(session: Session) -> None:
    """A script polling the API does not write the key's row on every request."""
    actor = admin_of(session, make_project(session))
    issued = accounts.issue_api_key(
        session, project_id=actor.project_id, user_id=actor.user_id, name="poller"
    )
    accounts.actor_for_api_token(session, issued.token)
    key = session.exec(select(ApiKey)).one()
    first_use = key.last_used_at
    accounts.actor_for_api_token(session, issued.token)
    session.refresh(key)
    assert key.last_used_at == first_use
    key.last_used_at = utcnow() - accounts.LAST_USED_PRECISION
    session.add(key)
    session.commit()
    accounts.actor_for_api_token(session, issued.token)
    session.refresh(key)
    assert key.last_used_at is not None and first_use is not None
    assert as_utc(key.last_used_at) > as_utc(first_use)
