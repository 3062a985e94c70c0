"""Demo data, so a new user sees a living library in the first minute."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from nexus_core import accounts, demo_images, projects, users
from nexus_core.media import listing, upload
from nexus_core.policies import Actor

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "nexus-demo"
DEMO_SLUG = "demo"
SAMPLES = [
    ("dusk-over-the-hills.jpg", 2400, 1600, "Purple hills at dusk under a low sun"),
    ("green-valley.jpg", 1800, 1200, "Green hills under a clear blue sky"),
    ("moonlit-night.jpg", 1200, 1600, "A full moon over dark hills"),
    ("desert-dunes.jpg", 3000, 2000, "Sand dunes under a pale sky"),
    ("evening-glow.jpg", 1000, 700, "Evening light over rolling hills"),
    ("small-square.jpg", 240, 240, "A small square landscape"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    project_slug: str
    image_count: int


def ensure_demo(session: Session) -> DemoLogin:
    """Create the demo user, project and sample images unless they exist already."""
    user = users.find_user(session, DEMO_EMAIL) or accounts.create_user(
        session, email=DEMO_EMAIL, password=DEMO_PASSWORD
    )
    project = projects.find_project(session, DEMO_SLUG)
    if project is None:
        project = projects.create_project(session, name="Demo", slug=DEMO_SLUG, owner=user)
        actor = projects.actor_for(session, user_id=user.id, project_id=project.id)
        _upload_samples(session, actor)
    actor = projects.actor_for(session, user_id=user.id, project_id=project.id)
    total = listing.list_items(session, actor=actor, limit=1).total
    return DemoLogin(email=DEMO_EMAIL, password=DEMO_PASSWORD, project_slug=DEMO_SLUG, image_count=total)


def _upload_samples(session: Session, actor: Actor) -> None:
    for seed, (filename, width, height, alt_text) in enumerate(SAMPLES):
        image = upload.IncomingFile(
            filename=filename, data=demo_images.sample_photo(width, height, seed=seed)
        )
        upload.upload(session, actor=actor, files=[image], alt_text=alt_text)
