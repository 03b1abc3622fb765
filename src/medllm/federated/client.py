"""The site side: a Flower `ClientApp` that runs the train stage's LoRA SFT recipe on its site's
rows for `sft.optim.max_steps` local steps, starting from the global adapter, and replies with
the adapter tensors only (peft's `get_peft_model_state_dict`), never base weights or rows.

    app = client_app(cfg, site_dirs)   # node_config["partition-id"] picks the site folder

In a deployment the config and the site's folder come from the run / node config instead
(`deployed_site`); with `secagg` the reply goes through Flower's `secaggplus_mod` (secagg.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from medllm.core import MedllmError
from medllm.federated.config import FederatedConfig
from medllm.federated.partition import site_files
from medllm.train import DataSection, build_rows, run_sft

WEIGHT_KEY = "num-examples"  # the reply metric Flower's strategies weight the average by
RUN_CONFIG_KEY = "medllm-config"  # run config: the federated config as JSON (deployment)
SITE_DIR_KEY = "site-dir"  # node config: the folder of the site's JSONL rows (deployment)
SITE_OUT_KEY = "site-output-dir"  # node config: where the site writes its local runs (deployment)


def payload_bytes(arrays: Any) -> int:
    """Bytes of an ArrayRecord's serialised tensors: what one reply puts on the wire."""
    return sum(len(a.data) for a in arrays.values())


def _check_count(got: int, want: int) -> None:
    if got != want:
        raise MedllmError(
            f"the global adapter has {got} tensor(s), this site's LoRA {want}",
            fix="give every site the same sft.lora section",
        )


def adapter_exchange(global_state: dict[str, Any] | list[Any], mu: float) -> Any:
    """A TrainerCallback: load the global adapter when training starts (the recipe built a fresh
    LoRA), add FedProx's proximal gradient mu * (w - w_global) when mu > 0, and keep the trained
    adapter when training ends."""
    from peft import get_peft_model_state_dict, set_peft_model_state_dict
    from transformers import TrainerCallback

    class AdapterExchange(TrainerCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            self.trained: dict[str, Any] = {}  # adapter tensors after local training

        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            model = kw["model"]
            if isinstance(global_state, list):  # SecAgg's legacy messages: tensors in key order
                names = list(get_peft_model_state_dict(model))
                _check_count(len(global_state), len(names))
                global_state_d = dict(zip(names, global_state, strict=True))
            else:
                global_state_d = global_state
            missing = set(global_state_d) - set(get_peft_model_state_dict(model))
            if missing:
                raise MedllmError(
                    f"the global adapter has {len(missing)} tensor(s) this site's LoRA lacks",
                    fix="give every site the same sft.lora section",
                )
            set_peft_model_state_dict(model, global_state_d)
            if mu > 0:
                _proximal_hooks(model, mu)

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            local = get_peft_model_state_dict(kw["model"])
            self.trained = {k: v.detach().cpu().clone() for k, v in local.items()}

    return AdapterExchange()


def _proximal_hooks(model: Any, mu: float) -> None:
    """The gradient of mu/2 * ||w - w_global||^2 added to each trainable (LoRA) tensor's gradient."""
    for p in model.parameters():
        if p.requires_grad:
            anchor = p.detach().clone()
            p.register_hook(lambda g, p=p, anchor=anchor: g + mu * (p.detach() - anchor))


def train_site(
    cfg: FederatedConfig,
    folder: Path,
    global_state: dict[str, Any] | list[Any],
    server_round: int,
    mu: float,
) -> tuple[dict[str, Any], dict[str, float]]:
    """One site's local training for one round → (adapter tensors, metrics)."""
    files = site_files(folder)
    local = cfg.sft.optim.max_steps
    privacy = cfg.sft.privacy
    if privacy.dp is not None:  # epsilon is the site's budget over all rounds (RDP composition)
        dp = privacy.dp.model_copy(
            update={"budget_steps": cfg.rounds * local, "spent_steps": (server_round - 1) * local}
        )
        privacy = privacy.model_copy(update={"dp": dp})
    sft = cfg.sft.model_copy(
        update={
            "privacy": privacy,
            "data": DataSection(files=files, seed=cfg.sft.data.seed + server_round),
            "output_dir": str(
                Path(cfg.output_dir) / "sites" / folder.name / f"round-{server_round}"
            ),
            "optim": cfg.sft.optim.model_copy(update={"seed": cfg.sft.optim.seed + server_round}),
        }
    )
    exchange = adapter_exchange(global_state, mu)
    result = run_sft(sft, callbacks=[exchange])
    rows = len(build_rows(DataSection(files=files), "sft"))
    metrics = {WEIGHT_KEY: float(rows), "train_loss": result.final_loss, "steps": result.steps}
    for key in ("epsilon", "dp_noise_multiplier"):  # DP-SGD's accountant (privacy.dp)
        if key in result.metrics:
            metrics[key] = result.metrics[key]
    return exchange.trained, metrics


Site = Callable[[Any], tuple[FederatedConfig, Path, int]]  # Context -> (config, folder, site)


def fixed_site(cfg: FederatedConfig, site_dirs: list[Path]) -> Site:
    """Simulation: one config for all; the node config's `partition-id` picks the site folder."""

    def resolve(context: Any) -> tuple[FederatedConfig, Path, int]:
        site = int(str(context.node_config["partition-id"]))
        return cfg, site_dirs[site], site

    return resolve


def deployed_site(context: Any) -> tuple[FederatedConfig, Path, int]:
    """Deployment: the consortium's config travels in the run config (`medllm-config`, JSON);
    the SuperNode's own node config names its site (`partition-id`), its data (`site-dir`) and
    where its local runs go (`site-output-dir`, never a path the server chose)."""
    cfg = FederatedConfig.model_validate_json(str(context.run_config[RUN_CONFIG_KEY]))
    cfg = cfg.model_copy(update={"output_dir": str(context.node_config[SITE_OUT_KEY])})
    return (
        cfg,
        Path(str(context.node_config[SITE_DIR_KEY])),
        int(str(context.node_config["partition-id"])),
    )


def client_app(cfg: FederatedConfig, site_dirs: list[Path]) -> Any:
    """A Flower ClientApp for the simulation; `partition-id` names the site."""
    return build_client_app(fixed_site(cfg, site_dirs), client_mode(cfg))


def client_mode(cfg: FederatedConfig) -> str:
    """plain, clip (central DP clipped at the site) or secagg: which ClientApp the run needs."""
    if cfg.secagg is not None:
        return "secagg"
    if cfg.central_dp is not None and cfg.central_dp.clipping == "client":
        return "clip"
    return "plain"


def build_client_app(resolve: Site, mode: str) -> Any:
    """The ClientApp of one mode; each call resolves the config and the site from the context."""
    from flwr.clientapp import ClientApp

    if mode == "secagg":  # Flower's SecAgg+ mod speaks the legacy fit messages (client_fn)
        from flwr.client.mod import secaggplus_mod

        from medllm.federated.secagg import secagg_client_fn

        return ClientApp(client_fn=secagg_client_fn(resolve), mods=[secaggplus_mod])
    mods: list[Any] = []
    if mode == "clip":
        from flwr.clientapp.mod import fixedclipping_mod

        mods.append(fixedclipping_mod)  # clips this site's update before it is sent
    app = ClientApp(mods=mods)

    @app.train()
    def train(msg: Any, context: Any) -> Any:
        return _train_reply(msg, context, resolve)

    return app


def _train_reply(msg: Any, context: Any, resolve: Site) -> Any:
    import torch  # noqa: F401  (Flower converts tensors only once torch is imported)
    from flwr.app import ArrayRecord, Message, MetricRecord, RecordDict

    cfg, folder, site = resolve(context)
    config: dict[str, Any] = dict(msg.content["config"])
    received: Any = msg.content["arrays"]
    state, metrics = train_site(
        cfg,
        folder,
        received.to_torch_state_dict(),
        int(config["server-round"]) + int(config.get("round-offset", 0)),  # after a resume
        float(config.get("proximal-mu", 0.0)),
    )
    arrays = ArrayRecord(state)
    numbers: dict[str, Any] = {**metrics, "site": site, "bytes_sent": payload_bytes(arrays)}
    return Message(RecordDict({"arrays": arrays, "metrics": MetricRecord(numbers)}), reply_to=msg)
