"""Secret shapes, and events that carry each one in each place a string can sit.

Every secret below is unique in the corpus, so finding its text anywhere in an output means it
leaked. ``events()`` gives valid events, ``invalid_records()`` raw records that break the contract
while carrying the secret (as plain JSON and with JSON escapes an attacker could use to hide it).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from schemas.examples import example_event

# (shape, text holding the secret, the secret itself)
SHAPES: list[tuple[str, str, str]] = [
    ("aws access key id", "aws s3 ls --profile x AKIAZ7Q3MPLE4XV9KD2W", "AKIAZ7Q3MPLE4XV9KD2W"),
    ("aws session key id", "ASIAQ4WZ8N2XK7PL3M5R was used", "ASIAQ4WZ8N2XK7PL3M5R"),
    ("aws configure", "aws configure set aws_secret_access_key wJa1rXUtnFEMIK7MDENGbPxRfiCYzq9Kp3v2Lm8T",
     "wJa1rXUtnFEMIK7MDENGbPxRfiCYzq9Kp3v2Lm8T"),
    ("aws env", "export AWS_SECRET_ACCESS_KEY=Zq9Kp3v2Lm8TwJa1rXUt/nFEMIK7MDENGbPxRfiC",
     "Zq9Kp3v2Lm8TwJa1rXUt/nFEMIK7MDENGbPxRfiC"),
    ("aws session token", "aws_session_token = IQoJb3JpZ2luX2VjEH8aCXVzLWVhc3QtMSJHMEUC",
     "IQoJb3JpZ2luX2VjEH8aCXVzLWVhc3QtMSJHMEUC"),
    ("mysql -p", "mysql -h db.internal -uroot -pTr0ub4dor3x app", "Tr0ub4dor3x"),
    ("mysql --password=", "mysqldump --password=Wq8vLm2zPx app", "Wq8vLm2zPx"),
    ("curl -u", "curl -u deploy:Hx7gQ2mZp9 https://ci.example.com/api", "Hx7gQ2mZp9"),
    ("curl --user", "curl -s --user deploy:Jk4rT8wQz1 https://ci.example.com", "Jk4rT8wQz1"),
    ("x-api-key header", "curl -H 'x-api-key: 3f9a1c0e2b7d4e5f6a7b8c9d' https://api.example.com",
     "3f9a1c0e2b7d4e5f6a7b8c9d"),
    ("x-auth-token header", "x-auth-token: Vb5nM8kL2pQ7rT4w", "Vb5nM8kL2pQ7rT4w"),
    ("cookie header", "Cookie: session=Pz6xC3vB9nM1kL4j; theme=dark", "Pz6xC3vB9nM1kL4j"),
    ("authorization header", "Authorization: Token Gf2hJ7kL9mN3pQ5r", "Gf2hJ7kL9mN3pQ5r"),
    ("bearer", "curl -H 'Authorization: Bearer Rt6yU8iO0pA2sD4f' https://x", "Rt6yU8iO0pA2sD4f"),
    ("basic", "Authorization: Basic YWxpY2U6czNjcjN0UGFzcw==", "YWxpY2U6czNjcjN0UGFzcw"),
    ("openai", "key sk-Ab3De5Gh7Jk9Lm1Np3Qr5St7Vw9Xy1Za", "sk-Ab3De5Gh7Jk9Lm1Np3Qr5St7Vw9Xy1Za"),
    ("openai project", "OPENAI=sk-proj-Tq8Wm3Zx6Cv1Bn4Mk7Lp0Oj2Ih5Gu9Fy", "Tq8Wm3Zx6Cv1Bn4Mk7Lp0Oj2Ih5Gu9Fy"),
    ("anthropic", "sk-ant-api03-Hd7Kf2Ls9Qw4Er6Ty1Ui3Op5As8Df0Gh2Jk4Lz-AA", "Hd7Kf2Ls9Qw4Er6Ty1Ui3Op5As8Df0"),
    ("google", "maps key AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T", "AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T"),
    ("github classic", "ghp_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5",
     "ghp_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5"),
    ("github oauth", "gho_Zx2Cv4Bn6Mq8Wr0Ty2Ui4Op6As8Df0Gh2Jk4", "gho_Zx2Cv4Bn6Mq8Wr0Ty2Ui4Op6As8Df0Gh2Jk4"),
    ("github user", "ghu_Lp9Ok7Ij5Uh3Yg1Tf9Rd7Es5Wa3Qz1Xs9Cd7", "ghu_Lp9Ok7Ij5Uh3Yg1Tf9Rd7Es5Wa3Qz1Xs9Cd7"),
    ("github server", "ghs_Mn8Bv6Cx4Zl2Kj0Hg8Fd6Sa4Qp2Wo0Ei8Ru6", "ghs_Mn8Bv6Cx4Zl2Kj0Hg8Fd6Sa4Qp2Wo0Ei8Ru6"),
    ("github refresh", "ghr_Ty5Gh7Uj9Ik1Ol3Pm5Nb7Vc9Xz1As3Dq5We7",
     "ghr_Ty5Gh7Uj9Ik1Ol3Pm5Nb7Vc9Xz1As3Dq5We7"),
    ("github fine-grained", "github_pat_11ABCDEFG0Rt5Yu7Io9Pa1Sd3Fg5Hj7Kl9Zx1Cv3Bn5Mq7",
     "11ABCDEFG0Rt5Yu7Io9Pa1Sd3Fg5Hj7Kl9Zx1Cv3Bn5Mq7"),
    ("gitlab pat", "PRIVATE-TOKEN: glpat-Xy9Zw8Vu7Ts6Rq5Po4Nm", "Xy9Zw8Vu7Ts6Rq5Po4Nm"),
    ("gitlab deploy", "gldt-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8", "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8"),
    ("gitlab runner", "glrt-Qr9St8Uv7Wx6Yz5Ab4Cd3Ef2", "Qr9St8Uv7Wx6Yz5Ab4Cd3Ef2"),
    ("slack bot", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIjKlMnOpQrStUvWx"),
    ("slack user", "xoxp-210987654321-Zy9Xw8Vu7Ts6Rq5Po4", "Zy9Xw8Vu7Ts6Rq5Po4"),
    ("slack app", "xapp-1-A0123456789-Kq2Wm4Zr6Xt8Yp0", "Kq2Wm4Zr6Xt8Yp0"),
    ("slack webhook", "post to https://hooks.slack.com/services/T0ABCDEF1/B0GHIJKL2/Mn3Op4Qr5St6Uv7Wx8Yz9Ab0",
     "Mn3Op4Qr5St6Uv7Wx8Yz9Ab0"),
    ("jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3kifQ.Qm9rZW5TaWduYXR1cmVYeXo",
     "eyJzdWIiOiJkZXBsb3kifQ"),
    ("pem rsa", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7xQ2Lk9\n-----END RSA PRIVATE KEY-----",
     "MIIEpAIBAAKCAQEA7xQ2Lk9"),
    ("pem openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n"
     "-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"),
    ("url password", "git clone https://alice:Qz8Wx3Ec5Rv@github.com/acme/x.git", "Qz8Wx3Ec5Rv"),
    ("url password, no user", "redis://:Lp0Ko9Ji8Hu7@cache:6379/0", "Lp0Ko9Ji8Hu7"),
    ("--password", "vault login --password Mn5Bv4Cx3Zl", "Mn5Bv4Cx3Zl"),
    ("--password=", "psql --password=Pl9Ok8Ij7Uh", "Pl9Ok8Ij7Uh"),
    ("--token", "gh auth login --token Yt6Rf5Ed4Ws", "Yt6Rf5Ed4Ws"),
    ("--secret", "deploy --client-secret=Qa1Ws2Ed3Rf", "Qa1Ws2Ed3Rf"),
    ("PGPASSWORD", "PGPASSWORD=Zx8Cv7Bn6Mq psql -h db", "Zx8Cv7Bn6Mq"),
    ("*_PASSWORD", "DB_PASSWORD='Hy6Gt5 Fr4Ed' ./migrate", "Hy6Gt5 Fr4Ed"),
    ("json field", '{"api_key": "Kj8Hg7Fd6Sa5"}', "Kj8Hg7Fd6Sa5"),
    ("argument list", '["mysql", "--password", "Uj7Yh6Tg5Rf"]', "Uj7Yh6Tg5Rf"),
]

# what must survive redaction untouched
HARMLESS = [
    "commit 9f1c2e7d0c4b8a7e6f5d4c3b2a1908f7e6d5c4b3", "123e4567-e89b-12d3-a456-426614174000",
    "Tighten the retry budget of the checkout client", "kubectl rollout restart deployment/api",
    "the task-runner risk-assessment disk-usage is fine", "max_tokens=100 temperature=0.2",
    "second authorization required", "PASSWORD=$DB_PASSWORD ./migrate", "mysql -u root -p app",
    "curl https://example.com/api?page=2", "the token bucket refills every second",
    "asia-east1", "arn:aws:iam::123456789012:role/deploy", "https://github.com/acme/payments/pull/42",
    "sha256:4f1c2e7d0c4b8a7e6f5d4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2918f7e", "alice@example.com",
]

# where a string can sit: (place, event type, function putting the text there in an event dict)
PLACES: list[tuple[str, str, str]] = [
    ("payload text", "agent_action", "payload.command"),
    ("payload error", "agent_action", "payload.error_message"),
    ("tool input json", "agent_action", "payload.tool_input_json"),
    ("list item", "change", "payload.labels[]"),
    ("nested field", "change", "payload.ai.tool"),
    ("nested list item", "change", "payload.ai.evidence[]"),
    ("list of models", "change", "payload.files[].path"),
    ("incident title", "incident", "payload.title"),
    ("gate inputs", "gate_decision", "payload.inputs_json"),
    ("envelope event_id", "deployment", "event_id"),
    ("envelope source_ref", "deployment", "source_ref"),
    ("envelope session_id", "agent_action", "session_id"),
    ("envelope source_url", "deployment", "source_url"),
    ("attribute value", "change", "attributes.value"),
    ("attribute key", "change", "attributes.key"),
    ("redaction path", "incident", "redactions[].path"),
]


def template(event_type: str) -> dict[str, Any]:
    return example_event(event_type).model_dump(mode="json")


def place(event: dict[str, Any], where: str, text: str) -> dict[str, Any]:
    """A copy of ``event`` with ``text`` at ``where`` (a dotted path; ``[]``: a list item)."""
    event = copy.deepcopy(event)
    if where == "attributes.value":
        event["attributes"] = {"team": "payments", "note": text}
        return event
    if where == "attributes.key":
        event["attributes"] = {"team": "payments", text: "x"}
        return event
    parts = where.split(".")
    node = event
    for part in parts[:-1]:
        if part.endswith("[]"):
            node[part[:-2]] = [{"path": "src/app.py"} if part == "files[]" else
                               {"path": "$.payload.x", "kind": "jwt"}]
            node = node[part[:-2]][0]
        else:
            node = node[part]
    last = parts[-1]
    if last.endswith("[]"):
        node[last[:-2]] = ["ok", text]
    else:
        node[last] = text
    return event


def events() -> list[tuple[str, dict[str, Any], str]]:
    """(label, valid event as a JSON-ready dict, the secret it carries): each shape in each place."""
    out = []
    for n, (shape, text, secret) in enumerate(SHAPES):
        for where_name, event_type, where in PLACES:
            if where == "event_id":  # (source, event_id) stays unique once the secret is redacted
                event = place(template(event_type), where, f"id{n} {text}")
            else:
                event = place(template(event_type), where, text)
                event["event_id"] = f"corpus-{n}-{where_name.replace(' ', '-')}"
            out.append((f"{shape} in {where_name}", event, secret))
    return out


def invalid_records() -> list[tuple[str, bytes, str]]:
    """(label, raw record that breaks the contract, the secret it carries), as JSON and with escapes."""
    out = []
    for n, (shape, text, secret) in enumerate(SHAPES):
        for where_name, event_type, where in PLACES[::3]:
            body = template(event_type) | {"event_id": f"bad-{n}-{where_name.replace(' ', '-')}",
                                           "occurred_at": "not a time"}  # breaks the contract
            event = place(body, where, text)
            out.append((f"{shape} in {where_name} (invalid)", json.dumps(event).encode(), secret))
        bad = template("change") | {"event_id": f"bad-{n}", "attributes": {text: "v" * 1100}}
        out.append((f"{shape} as the key of a too long attribute", json.dumps(bad).encode(), secret))
        escape = f"\\u{ord(secret[0]):04x}"
        escaped = json.dumps({"event_type": "nope", "note": text}).replace(secret[0], escape)
        out.append((f"{shape} behind JSON escapes", escaped.encode(), secret))
        out.append((f"{shape} in text that is not JSON", f"oops {text}".encode(), secret))
        split = f"oops {text}".encode().replace(secret[:4].encode(), secret[:4].encode() + b"\xff", 1)
        out.append((f"{shape} split by a byte that is not UTF-8", split, secret[4:]))
    return out
