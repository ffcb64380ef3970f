"""Applies the declarative Harbor configuration in /config/harbor.json through Harbor's API:
proxy-cache registries and projects, plain projects, OIDC login through Keycloak, and the schedule of
garbage collection (kept in Harbor's database; PUT replaces any schedule, so re-running is harmless).

Idempotent: what exists is updated, what is missing is created, nothing is deleted (a project that
leaves the inventory keeps its images until an admin removes it). Python standard library only.
Secrets come from the environment (HARBOR_ADMIN_PASSWORD, OIDC_CLIENT_SECRET), never from the file.
"""
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["HARBOR_URL"].rstrip("/") + "/api/v2.0"
AUTH = "Basic " + base64.b64encode(("admin:" + os.environ["HARBOR_ADMIN_PASSWORD"]).encode()).decode()


def call(method, path, body=None, ok=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", AUTH)
    req.add_header("X-Is-Resource-Name", "true")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e.code, None
        raise SystemExit(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}")


def wait_healthy(tries=60, delay=10):
    for i in range(tries):
        try:
            status, health = call("GET", "/health")
            if health and health.get("status") == "healthy":
                return
        except (SystemExit, OSError) as e:
            print(f"waiting for Harbor ({i + 1}/{tries}): {e}", flush=True)
        time.sleep(delay)
    raise SystemExit("Harbor did not become healthy")


def registry_id(cache):
    _, found = call("GET", "/registries?q=" + urllib.parse.quote(f"name={cache['name']}"))
    body = {"name": cache["name"], "type": cache["type"], "url": cache["upstream"], "insecure": False}
    if found:
        rid = found[0]["id"]
        call("PUT", f"/registries/{rid}", body)
        return rid
    call("POST", "/registries", body)
    _, found = call("GET", "/registries?q=" + urllib.parse.quote(f"name={cache['name']}"))
    return found[0]["id"]


def project(name, public, rid=None):
    meta = {"public": "true" if public else "false"}
    status, _ = call("HEAD", f"/projects?project_name={urllib.parse.quote(name)}", ok=(200, 404))
    if status == 404:
        body = {"project_name": name, "metadata": meta}
        if rid is not None:
            body["registry_id"] = rid
        call("POST", "/projects", body)
        print(f"project {name}: created", flush=True)
    else:
        call("PUT", f"/projects/{urllib.parse.quote(name)}", {"metadata": meta})
        print(f"project {name}: updated", flush=True)


def main():
    with open("/config/harbor.json") as f:
        cfg = json.load(f)
    wait_healthy()
    for cache in cfg["proxyCaches"]:
        # Proxy-cache projects are public so nodes pull without credentials.
        project(cache["name"], True, registry_id(cache))
    for p in cfg["projects"]:
        project(p["name"], p["public"])
    oidc = dict(cfg["configurations"])
    oidc["oidc_client_secret"] = os.environ["OIDC_CLIENT_SECRET"]
    call("PUT", "/configurations", oidc)
    call("PUT", "/system/gc/schedule", cfg["gc"])
    print(f"gc schedule: {cfg['gc']['schedule']['cron']}", flush=True)
    print("configuration applied", flush=True)


if __name__ == "__main__":
    sys.exit(main())
