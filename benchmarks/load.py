"""Load test: N simulated township clerks for T seconds against a running Jiuzhu on loopback.

    .venv/bin/python benchmarks/load.py --clerks 50 --seconds 60 [--url http://127.0.0.1:5000]

Each clerk is a thread with its own session: it logs in as one of the demo clerks (``clerk``,
``clerk2``, ``clerk3`` in turn; ``--users`` names others, all with ``--password``), then until
the time is up repeats a day's mix: home page, case list, a case page, a search, an intake of
the 低保 (DB) form with fresh valid ID numbers, and the first step of the workflow
(``start_investigation``) on the case it just took in. Every form is posted with the CSRF token
of the page it came from, as a browser would.

Reports the requests per action, errors by kind (HTTP status, timeout, connection, wrong
page) and latency p50/p95/p99; ``--json FILE`` also writes them. Exits 1 when any request
failed. Only loopback servers are accepted (the script is for your own machine, not a
stranger's), every loop ends at the deadline and each clerk stops after ``--max-requests``.
"""
from __future__ import annotations

import argparse
import collections
import ipaddress
import itertools
import json
import math
import random
import re
import socket
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server.idnumber import make as make_id_number  # noqa: E402 - after the path is set

DEMO_USERS = ("clerk", "clerk2", "clerk3")
DEMO_PASSWORD = "Jiuzhu@2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VILLAGE_SELECT = re.compile(r'<select[^>]*name="village"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="(\d{12})"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
CASE_URL = re.compile(r"/cases/(\d+)$")
LOCK_VERSION = re.compile(r'id="action-start_investigation".*?name="lock_version" value="(\d+)"',
                          re.S)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
GIVEN = "建国秀兰小宝志强丽娟海燕春梅玉芬德明"


def loopback_only(url: str) -> str:
    """The base URL, refused unless its host resolves to a loopback address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SystemExit(f"not an http URL: {url}")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 80)}
    except socket.gaierror as exc:
        raise SystemExit(f"cannot resolve {parts.hostname}: {exc}") from None
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"{parts.hostname} is not a loopback address: load tests run only "
                         "against a server on this machine (127.0.0.1)")
    return url.rstrip("/") + "/"


class IdNumbers:
    """Valid (GB 11643) ID numbers, never the same twice in a run; a random start per run."""

    def __init__(self):
        self._next = itertools.count(random.randrange(10 ** 6))
        self._lock = threading.Lock()

    def __call__(self, born_after: date) -> str:
        with self._lock:
            n = next(self._next)
        days, sequence = divmod(n, 1000)
        return make_id_number("220999", born_after + timedelta(days=days % 7000), sequence)


class Stats:
    """Per-action latencies and error counts, shared by every clerk."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.examples = {}

    def add(self, action: str, seconds: float, error: str | None = None, detail: str = ""):
        with self.lock:
            self.latency[action].append(seconds)
            if error:
                key = f"{action}: {error}"
                self.errors[key] += 1
                self.examples.setdefault(key, detail[:300])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (the smallest value with at least p % of values at or below)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


class Clerk:
    """One simulated clerk: a logged-in session walking through a day's work."""

    def __init__(self, base: str, username: str, password: str, stats: Stats, ids: IdNumbers,
                 deadline: float, max_requests: int, timeout: float):
        self.base, self.username, self.password = base, username, password
        self.stats, self.ids, self.deadline = stats, ids, deadline
        self.left, self.timeout = max_requests, timeout
        self.session = requests.Session()
        self.villages: list[str] = []
        self.cases: list[int] = []

    def request(self, action: str, method: str, path: str, expect=(200,), **kwargs):
        """One timed request; returns the response when its status is expected, else None."""
        if self.left <= 0 or time.monotonic() >= self.deadline:
            raise TimeoutError
        self.left -= 1
        started = time.perf_counter()
        try:
            response = self.session.request(method, urljoin(self.base, path.lstrip("/")),
                                            timeout=self.timeout, allow_redirects=False,
                                            **kwargs)
        except requests.Timeout as exc:
            self.stats.add(action, time.perf_counter() - started, "timeout", str(exc))
            return None
        except requests.ConnectionError as exc:
            self.stats.add(action, time.perf_counter() - started, "connection error", str(exc))
            return None
        elapsed = time.perf_counter() - started
        if response.status_code not in expect:
            self.stats.add(action, elapsed, f"HTTP {response.status_code}", _excerpt(response))
            return None
        self.stats.add(action, elapsed)
        return response

    def wrong_page(self, action: str, detail: str) -> None:
        self.stats.add(action, 0.0, "unexpected page", detail)

    def login(self) -> bool:
        page = self.request("login", "GET", "/login")
        token = page is not None and CSRF.search(page.text)
        if not token:
            return False
        done = self.request("login", "POST", "/login", expect=(302,),
                            data={"csrf_token": token.group(1), "username": self.username,
                                  "password": self.password})
        return done is not None

    def home(self) -> None:
        self.request("home", "GET", "/")

    def case_list(self) -> None:
        page = self.request("case list", "GET", "/cases/")
        if page is not None:
            found = [int(i) for i in CASE_LINK.findall(page.text)]
            self.cases = (self.cases + found)[-50:]

    def case_page(self) -> None:
        if self.cases:
            self.request("case page", "GET", f"/cases/{random.choice(self.cases)}")

    def search(self) -> None:
        self.request("search", "GET", "/cases/", params={"q": random.choice(SURNAMES)})

    def intake(self) -> int | None:
        page = self.request("intake form", "GET", "/intake/new?type=DB")
        if page is None:
            return None
        token, villages = CSRF.search(page.text), VILLAGE_SELECT.search(page.text)
        if not token or not villages or not OPTION.findall(villages.group(1)):
            self.wrong_page("intake form", "no CSRF token or village choices on the form")
            return None
        done = self.request("intake submit", "POST", "/intake/new?type=DB", expect=(302,),
                            data=self.household(token.group(1),
                                                random.choice(OPTION.findall(villages.group(1)))))
        if done is None:
            return None
        found = CASE_URL.search(urlsplit(done.headers.get("Location", "")).path)
        if not found:
            self.wrong_page("intake submit", f"redirected to {done.headers.get('Location')}")
            return None
        return int(found.group(1))

    def household(self, token: str, village: str) -> dict:
        surname = random.choice(SURNAMES)
        people = [("本人", date(1960, 1, 1), "900.00"), ("配偶", date(1962, 1, 1), "300.00"),
                  ("子女", date(2005, 1, 1), "0")]
        data = {"csrf_token": token, "action": "submit", "phone": "13912345678",
                "village": village, "address": "三组 8 号", "hukou_type": "rural",
                "reason": "收入低，孩子上学", "deposits": "1000.00", "has_vehicle": "no",
                "house_count": "1", "bank_name": "农村信用社", "bank_account": "6228480012345678901"}
        for i, (relationship, born, income) in enumerate(people):
            name = surname + "".join(random.sample(GIVEN, 2))
            number = self.ids(born)
            if i == 0:
                data.update(applicant_name=name, applicant_id_number=number)
            data.update({f"members-{i}-name": name, f"members-{i}-id_number": number,
                         f"members-{i}-relationship": relationship,
                         f"members-{i}-monthly_income": income, f"members-{i}-hukou": "rural",
                         f"members-{i}-work_ability": "有劳动能力",
                         f"members-{i}-is_disabled": "no", f"members-{i}-has_illness": "no"})
        return data

    def transition(self, case_id: int) -> None:
        page = self.request("transition form", "GET", f"/cases/{case_id}")
        if page is None:
            return
        token, lock = CSRF.search(page.text), LOCK_VERSION.search(page.text)
        if not token or not lock:
            self.wrong_page("transition form", f"no start_investigation form on case {case_id}")
            return
        self.request("transition", "POST", f"/cases/{case_id}/transition", expect=(302,),
                     data={"csrf_token": token.group(1), "action": "start_investigation",
                           "lock_version": lock.group(1), "comment": "负载测试"})

    def run(self) -> None:
        try:
            if not self.login():
                return
            while True:
                self.home()
                self.case_list()
                self.case_page()
                self.search()
                case_id = self.intake()
                if case_id is not None:
                    self.cases.append(case_id)
                    self.transition(case_id)
        except TimeoutError:  # the deadline or the request budget is reached
            pass


def _excerpt(response) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text or ""))
    return text.strip()[:300]


def report(stats: Stats, clerks: int, seconds: float) -> dict:
    every = [x for values in stats.latency.values() for x in values]
    actions = {}
    for action, values in sorted(stats.latency.items()):
        actions[action] = {"requests": len(values), "p50_ms": round(1000 * percentile(values, 50)),
                           "p95_ms": round(1000 * percentile(values, 95)),
                           "p99_ms": round(1000 * percentile(values, 99))}
    return {"clerks": clerks, "seconds": round(seconds, 1), "requests": len(every),
            "requests_per_second": round(len(every) / max(seconds, 1e-9), 1),
            "errors": sum(stats.errors.values()), "errors_by_kind": dict(stats.errors),
            "error_examples": stats.examples,
            "p50_ms": round(1000 * percentile(every, 50)),
            "p95_ms": round(1000 * percentile(every, 95)),
            "p99_ms": round(1000 * percentile(every, 99)), "actions": actions}


def print_report(result: dict) -> None:
    print(f"{result['clerks']} clerks x {result['seconds']} s: {result['requests']} requests "
          f"({result['requests_per_second']}/s), {result['errors']} errors; "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms")
    print(f"  {'action':<15} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for action, row in result["actions"].items():
        print(f"  {action:<15} {row['requests']:>8} {row['p50_ms']:>7} {row['p95_ms']:>7} "
              f"{row['p99_ms']:>7}")
    for kind, count in sorted(result["errors_by_kind"].items(), key=lambda kv: -kv[1]):
        print(f"  error {kind}: {count}  e.g. {result['error_examples'].get(kind, '')[:160]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="a loopback server")
    parser.add_argument("--clerks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", default=",".join(DEMO_USERS),
                        help="comma-separated clerk logins, used in turn")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per clerk")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not 1 <= args.clerks <= 500 or not 0 < args.seconds <= 3600:
        parser.error("--clerks must be 1..500 and --seconds 0..3600")
    base = loopback_only(args.url)
    users = [u.strip() for u in args.users.split(",") if u.strip()]
    stats, ids = Stats(), IdNumbers()
    started = time.monotonic()
    deadline = started + args.seconds
    clerks = [Clerk(base, users[i % len(users)], args.password, stats, ids, deadline,
                    args.max_requests, args.timeout) for i in range(args.clerks)]
    threads = [threading.Thread(target=c.run, daemon=True) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:  # a request in flight at the deadline ends within --timeout
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + args.timeout + 5)
    result = report(stats, args.clerks, time.monotonic() - started)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if result["errors"] or not result["requests"] else 0


if __name__ == "__main__":
    sys.exit(main())
