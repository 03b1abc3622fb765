"""The deployment engine's parts that need no running process: the locally made TLS chain and
SuperNode keys, the Flower App bundle `flwr run` builds (checked by Flower's own validator), the
`flwr` connection file, min_sites, and the CLI commands. The processes themselves are in
tests/integration/test_federated_deploy.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medllm.core import DataError, MedllmError


def _cfg(tmp_path: Path, **over: Any) -> Any:
    from medllm.federated import FederatedConfig

    train = tmp_path / "train.jsonl"
    rows = [{"instruction": f"Code Z0{i}?", "output": f"Exam {i}."} for i in range(9)]
    train.write_text("\n".join(json.dumps(r) for r in rows))
    data = {
        "output_dir": str(tmp_path / "run"),
        "deploy": {"port": 9555, "node_port": 9600},
        "sft": {"data": {"files": [str(train)]}},
        **over,
    }
    return FederatedConfig.model_validate(data)


def test_tls_chain_is_signed_by_the_local_ca_and_owner_only(tmp_path: Path) -> None:
    from cryptography import x509

    from medllm.federated.certs import tls_files

    tls = tls_files(tmp_path / "certs", "10.0.0.7")
    ca = x509.load_pem_x509_certificate(tls.ca.read_bytes())
    cert = x509.load_pem_x509_certificate(tls.cert.read_bytes())
    cert.verify_directly_issued_by(ca)  # raises unless the CA signed it
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(v) for v in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "10.0.0.7"]
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    modes = [oct(p.stat().st_mode & 0o777) for p in (tls.ca, tls.cert, tls.key, tls.ca.parent)]
    assert modes == ["0o600", "0o600", "0o600", "0o700"]
    before = tls.cert.read_bytes()
    assert tls_files(tmp_path / "certs", "10.0.0.7").cert.read_bytes() == before  # reused


def test_node_keys_are_what_flower_supernode_loads(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    from medllm.federated.certs import node_keys

    private, public = node_keys(tmp_path, 2)
    key = load_ssh_private_key(private.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1"
    assert public.read_text().startswith("ecdsa-sha2-nistp384 ")
    assert (private.parent.name, oct(private.stat().st_mode & 0o777)) == ("site-2", "0o600")


@pytest.mark.parametrize(
    ("over", "component"),
    [
        ({}, "clientapp"),
        ({"central_dp": {"clipping": "client"}}, "clipping_clientapp"),
        ({"secagg": {}}, "secagg_clientapp"),
    ],
)
def test_app_bundle_passes_flowers_validator(
    tmp_path: Path, over: dict[str, Any], component: str
) -> None:
    from flwr.cli.config_utils import load_and_validate

    from medllm.federated import FederatedConfig
    from medllm.federated.deploy import write_app

    cfg = _cfg(tmp_path, **over)
    app = write_app(cfg, resume=True)
    project, _ = load_and_validate(app / "pyproject.toml")  # check_module: components resolve
    flwr = project["tool"]["flwr"]["app"]
    assert flwr["components"] == {
        "serverapp": "medllm.federated.flowerapp:serverapp",
        "clientapp": f"medllm.federated.flowerapp:{component}",
    }
    assert (flwr["config"]["sites"], flwr["config"]["resume"]) == (3, True)
    sent = FederatedConfig.model_validate_json(flwr["config"]["medllm-config"])
    assert sent.output_dir == str((tmp_path / "run").resolve())  # absolute for the ServerApp
    assert sent.model_dump(exclude={"output_dir", "sft"}) == cfg.model_dump(
        exclude={"output_dir", "sft"}
    )


def test_flwr_connection_file_is_read_by_flower(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flwr.cli.flower_config import read_superlink_connection

    from medllm.federated.deploy import certs_dir, flwr_home

    cfg = _cfg(tmp_path)
    monkeypatch.setenv("FLWR_HOME", str(flwr_home(cfg)))
    conn = read_superlink_connection("medllm")
    assert conn.address == "127.0.0.1:9555"
    assert conn.root_certificates == str((certs_dir(cfg) / "ca.crt").resolve())
    assert not conn.insecure


def test_min_sites_above_the_sites_names_the_field(tmp_path: Path) -> None:
    from medllm.federated.server import min_sites

    assert min_sites(_cfg(tmp_path), 3) == 3
    assert min_sites(_cfg(tmp_path, min_sites=2), 3) == 2
    with pytest.raises(MedllmError, match=r"min_sites is 4 but the federation has 3 site\(s\)"):
        min_sites(_cfg(tmp_path, min_sites=4), 3)


def test_a_round_with_fewer_replies_than_min_sites_is_refused(
    tiny_dir: Path, tmp_path: Path
) -> None:
    from medllm.federated.server import RoundBook

    held = [{"id": "x:1", "prompt": [{"role": "user", "content": "Hi"}], "completion": []}]
    cfg = _cfg(tmp_path, min_sites=3, sft={"model": str(tiny_dir)})
    book = RoundBook(cfg, 3, held, 0, None)
    book.on_replies([{"site": 0, "bytes_sent": 1, "num-examples": 3.0}] * 2)
    with pytest.raises(MedllmError, match=r"round 1: 2 of 3 site\(s\) replied, min_sites is 3"):
        book.evaluate(1, book.model.state())
    assert not (Path(cfg.output_dir) / "rounds" / "round-1").exists()


def test_supernode_data_must_be_a_folder_of_jsonl(tmp_path: Path) -> None:
    from medllm.federated.deploy import site_dir

    with pytest.raises(DataError, match=r"not a folder holding \.jsonl files"):
        site_dir(_cfg(tmp_path), 0, tmp_path / "missing")
    with pytest.raises(MedllmError, match=r"--site 5: the config has sites 0\.\.2"):
        site_dir(_cfg(tmp_path), 5, None)


def test_cli_lists_the_deployment_commands() -> None:
    from medllm.federated.cli import app

    res = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0
    for command in ("superlink", "supernode", "run", "simulate", "sites"):
        assert f"│ {command} " in res.output
    res = CliRunner().invoke(app, ["supernode", "--help"], env={"COLUMNS": "120"})
    assert "--site" in res.output and "--data" in res.output
