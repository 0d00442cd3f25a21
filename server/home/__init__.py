"""Home page per role, assembled from panels the rooms register."""
from ..auth.roles import ALL
from . import panels


def _welcome(user):
    return {"region": user.region}


panels.register("welcome", "home/panel_welcome.html", ALL, _welcome, order=0)
