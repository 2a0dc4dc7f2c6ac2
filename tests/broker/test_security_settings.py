"""Kafka security settings: validation naming the setting, client arguments, no secret shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.errors import ConfigError, ExitCode
from aftershock.kafka_client import client_config, connection_error
from aftershock.settings import load_settings

SASL_PASSWORD = "sasl-Secret-7f3a"  # noqa: S105 - a test value that must never be shown
KEY_PASSWORD = "key-Secret-91bc"  # noqa: S105


@pytest.fixture
def pem_files(tmp_path: Path) -> dict[str, Path]:
    """Placeholder CA, certificate and key files (settings check that they exist, not their contents)."""
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "cert", "key")}
    for path in files.values():
        path.write_text("-----BEGIN CERTIFICATE-----\n")
    return files


def _set(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"AFTERSHOCK_KAFKA__{name.upper()}", value)


def _sasl_ssl(monkeypatch: pytest.MonkeyPatch, ca: Path) -> None:
    _set(monkeypatch, security_protocol="SASL_SSL", ssl_cafile=str(ca), sasl_mechanism="SCRAM-SHA-512",
         sasl_username="svc-ingest", sasl_password=SASL_PASSWORD)


def test_defaults_are_plaintext_without_tls_or_sasl_arguments() -> None:
    kafka = load_settings().kafka
    assert kafka.security_protocol == "PLAINTEXT" and kafka.ssl_check_hostname is True
    assert client_config(kafka, "h:9092") == {"bootstrap_servers": "h:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_settings_become_kafka_python_arguments(
        monkeypatch: pytest.MonkeyPatch, pem_files: dict[str, Path]) -> None:
    _sasl_ssl(monkeypatch, pem_files["ca"])
    _set(monkeypatch, ssl_check_hostname="false")
    config = client_config(load_settings().kafka, "b1:9093,b2:9093")
    assert config == {
        "bootstrap_servers": "b1:9093,b2:9093", "security_protocol": "SASL_SSL",
        "ssl_check_hostname": False, "ssl_cafile": str(pem_files["ca"]), "ssl_certfile": None,
        "ssl_keyfile": None, "ssl_password": None, "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "svc-ingest", "sasl_plain_password": SASL_PASSWORD,
    }
    assert SASL_PASSWORD not in repr(config) and SASL_PASSWORD not in str(config)


def test_ssl_client_certificate_settings_become_kafka_python_arguments(
        monkeypatch: pytest.MonkeyPatch, pem_files: dict[str, Path]) -> None:
    _set(monkeypatch, security_protocol="SSL", ssl_cafile=str(pem_files["ca"]),
         ssl_certfile=str(pem_files["cert"]), ssl_keyfile=str(pem_files["key"]), ssl_password=KEY_PASSWORD)
    config = client_config(load_settings().kafka, "b:9093")
    assert (config["security_protocol"], config["ssl_certfile"], config["ssl_keyfile"],
            config["ssl_password"]) == ("SSL", str(pem_files["cert"]), str(pem_files["key"]), KEY_PASSWORD)
    assert "sasl_mechanism" not in config and KEY_PASSWORD not in repr(config)


def test_repr_str_and_json_of_the_settings_show_no_secret(
        monkeypatch: pytest.MonkeyPatch, pem_files: dict[str, Path]) -> None:
    _sasl_ssl(monkeypatch, pem_files["ca"])
    settings = load_settings()
    assert settings.kafka.sasl_password is not None
    assert settings.kafka.sasl_password.get_secret_value() == SASL_PASSWORD
    for shown in (repr(settings), str(settings), repr(settings.kafka), str(settings.kafka),
                  settings.model_dump_json(), str(settings.model_dump())):
        assert SASL_PASSWORD not in shown
        assert "svc-ingest" in shown or "sasl_username" not in shown


@pytest.mark.parametrize(("values", "named"), [
    ({"security_protocol": "SASL_SSL", "sasl_username": "u", "sasl_password": SASL_PASSWORD},
     "AFTERSHOCK_KAFKA__SASL_MECHANISM is required with security_protocol SASL_SSL"),
    ({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_password": SASL_PASSWORD},
     "AFTERSHOCK_KAFKA__SASL_USERNAME is required with security_protocol SASL_PLAINTEXT"),
    ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_username": "u"},
     "AFTERSHOCK_KAFKA__SASL_PASSWORD is required with security_protocol SASL_SSL"),
    ({"sasl_mechanism": "PLAIN", "sasl_username": "u", "sasl_password": SASL_PASSWORD},
     "AFTERSHOCK_KAFKA__SASL_MECHANISM is set but security_protocol PLAINTEXT does not use SASL"),
    ({"security_protocol": "SSL", "ssl_cafile": "/nowhere/ca.pem"},
     "AFTERSHOCK_KAFKA__SSL_CAFILE names /nowhere/ca.pem, which is not a readable file"),
    ({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_username": "u",
      "sasl_password": SASL_PASSWORD, "ssl_password": KEY_PASSWORD},
     "AFTERSHOCK_KAFKA__SSL_PASSWORD is set but security_protocol SASL_PLAINTEXT does not use TLS"),
    ({"security_protocol": "TLS"},
     "AFTERSHOCK_KAFKA__SECURITY_PROTOCOL (environment): Input should be 'PLAINTEXT'"),
    ({"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI", "sasl_username": "u",
      "sasl_password": SASL_PASSWORD},
     "AFTERSHOCK_KAFKA__SASL_MECHANISM (environment): Input should be 'PLAIN'"),
])
def test_bad_combinations_name_the_setting_and_never_the_secret(
        monkeypatch: pytest.MonkeyPatch, values: dict[str, str], named: str) -> None:
    _set(monkeypatch, **values)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert named in message and "\n" not in message
    assert SASL_PASSWORD not in message and KEY_PASSWORD not in message


def test_bad_settings_exit_2_with_one_line_and_no_secret(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _set(monkeypatch, security_protocol="SASL_SSL", sasl_username="u", sasl_password=SASL_PASSWORD)
    assert main(["kafka", "status"]) == ExitCode.CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("aftershock: invalid setting AFTERSHOCK_KAFKA__SASL_MECHANISM (environment): ")
    assert len(err.strip().splitlines()) == 1 and SASL_PASSWORD not in err


@pytest.mark.parametrize("command", [["--help"], ["ingest", "run", "--help"], ["import", "--help"],
                                     ["kafka", "start", "--help"]])
def test_help_shows_no_secret(monkeypatch: pytest.MonkeyPatch, pem_files: dict[str, Path],
                              capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    _sasl_ssl(monkeypatch, pem_files["ca"])
    with pytest.raises(SystemExit):
        main(command)
    out, err = capsys.readouterr()
    assert "usage: aftershock" in out and SASL_PASSWORD not in out + err


def test_connection_errors_name_the_settings_and_never_the_secret(
        monkeypatch: pytest.MonkeyPatch, pem_files: dict[str, Path]) -> None:
    from kafka.errors import KafkaTimeoutError, SaslAuthenticationFailedError

    _sasl_ssl(monkeypatch, pem_files["ca"])
    config = client_config(load_settings().kafka, "b:9093")
    refused = str(connection_error(config, SaslAuthenticationFailedError("invalid credentials")))
    assert refused.startswith("Kafka refused the SASL credentials (b:9093, SASL_SSL, SCRAM-SHA-512 as "
                              "user 'svc-ingest')") and "SASL_PASSWORD and SASL_MECHANISM" in refused
    unreachable = str(connection_error(config, KafkaTimeoutError("Unable to bootstrap")))
    assert unreachable.startswith("cannot reach Kafka (b:9093, SASL_SSL")
    assert SASL_PASSWORD not in refused + unreachable
