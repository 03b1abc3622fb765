"""The `kind: federated` config: sites, the Flower strategy, rounds, and the SFT recipe each site
runs locally (a whole `kind: sft` config, so every recipe field means what it means there)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from medllm.train import SftConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartitionSection(_Strict):
    """How the training rows of `sft.data` become sites (ignored when `sites_dir` is set)."""

    sites: int = Field(3, ge=1, description="number of sites (hospitals, Flower SuperNodes)")
    scheme: Literal["iid", "group", "dirichlet"] = Field(
        "iid",
        description="iid: shuffled equal shares; group: each label whole at one site; dirichlet: "
        "each label split by Dir(alpha) proportions (label skew)",
    )
    label: Literal["source", "icd10cm_chapter"] = Field(
        "source",
        description="row label for group / dirichlet and the report: the data source, or the "
        "ICD-10-CM chapter of the row's code",
    )
    alpha: float = Field(0.5, gt=0, description="Dirichlet concentration: small = strong skew")
    seed: int = Field(0, description="seed of the split")


class CentralDpSection(_Strict):
    """Central DP of the aggregate (Flower's fixed-clipping DP strategy wrappers): each site's
    update (its adapter minus the global one) is clipped to `clipping_norm` in L2, and Gaussian
    noise of std noise_multiplier x clipping_norm / sites is added to the average."""

    clipping: Literal["server", "client"] = Field(
        "server",
        description="server: the server clips the updates it receives; client: each site clips "
        "its own (Flower's fixedclipping_mod), so an unclipped update never leaves the site",
    )
    noise_multiplier: float | None = Field(
        None,
        ge=0,
        description="Gaussian noise multiplier; unset: solved from epsilon when that is set, else 1.0",
    )
    clipping_norm: float = Field(1.0, gt=0, description="L2 bound of one site's update")
    epsilon: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="target epsilon after all `rounds` at delta (a site's whole dataset): the "
        "noise multiplier is solved from it (Opacus' get_noise_multiplier, RDP, q = 1); unset: "
        "noise_multiplier is used as given",
    )
    delta: float | None = Field(
        None, gt=0, lt=1, description="delta of the guarantee; unset: 1 / sites"
    )

    @model_validator(mode="after")
    def _one_noise_source(self) -> CentralDpSection:
        if self.epsilon is not None and self.noise_multiplier is not None:
            raise ValueError(
                "central_dp.epsilon and central_dp.noise_multiplier are both set: set one "
                "(epsilon solves the noise multiplier for the rounds)"
            )
        return self


class SecAggSection(_Strict):
    """Secure aggregation (Flower's SecAgg+: `secaggplus_mod` at each site, SecAggPlusWorkflow on
    the server): the server learns only the weighted sum of the sites' adapters, never one site's.
    Each value is quantised: the aggregate differs from plain FedAvg's by at most
    sites x 2 x clipping_range / quantization_range / sum_k(rows_k / max_weight)."""

    num_shares: int = Field(3, ge=2, description="sites each site's secret is shared with")
    reconstruction_threshold: int = Field(
        2, ge=1, description="shares needed to reconstruct a dropped site's mask"
    )
    clipping_range: float = Field(
        8.0, gt=0, description="adapter values are clipped to [-range, range] before quantising"
    )
    quantization_range: int = Field(
        4194304, gt=1, description="integer levels of the quantiser (Flower's default 2**22)"
    )
    max_weight: float = Field(
        1000.0, gt=0, description="the largest site row count expected (weights are rows / this)"
    )


class DeploySection(_Strict):
    """Flower's deployment engine (`medllm federated superlink | supernode | run`): real
    processes that talk over TLS with certificates made locally under `certs_dir`."""

    host: str = Field("127.0.0.1", description="address the SuperLink listens on")
    port: int = Field(
        9092, ge=1, le=65535, description="the SuperLink's one HTTPS port (Fleet, Control, Runtime)"
    )
    node_port: int = Field(
        9094, ge=1, le=65535, description="site i's SuperNode serves its ClientApp on node_port + i"
    )
    certs_dir: str | None = Field(
        None,
        description="CA, SuperLink TLS and SuperNode keys (owner-only); unset: output_dir/certs",
    )
    node_auth: bool = Field(
        True,
        description="SuperNode authentication: only SuperNodes whose public key was registered "
        "with the SuperLink may join",
    )


class FederatedConfig(_Strict):
    """Federated LoRA fine-tuning on Flower (simulation engine, or the deployment engine)."""

    kind: Literal["federated"] = Field("federated", description="config kind")
    output_dir: str = Field(
        "runs/federated",
        description="sites/, rounds/round-<r>/ (global adapter checkpoints), history.json",
    )
    rounds: int = Field(
        3, ge=1, description="federated rounds (each: local training + aggregation)"
    )
    strategy: Literal["fedavg", "fedprox", "fedadam", "fedyogi"] = Field(
        "fedavg", description="Flower strategy aggregating the site adapters"
    )
    proximal_mu: float = Field(
        0.01, ge=0, description="fedprox: weight of the proximal term mu/2 * ||w - w_global||^2"
    )
    server_lr: float = Field(
        0.01, gt=0, description="fedadam / fedyogi: server learning rate (Flower's eta)"
    )
    min_sites: int | None = Field(
        None,
        ge=1,
        description="sites that must be online to start a round and must reply for it to count; "
        "unset: all. Below it a round stops the run with an error",
    )
    round_timeout_s: float = Field(
        3600.0, gt=0, description="seconds the server waits for the sites' replies in a round"
    )
    secagg: SecAggSection | None = Field(
        None, description="secure aggregation (SecAgg+); unset: the server sees each adapter"
    )
    deploy: DeploySection = Field(default_factory=DeploySection, description="deployment engine")
    sites_dir: str | None = Field(
        None,
        description="a folder with one sub-folder of JSONL per site (the user's own de-identified "
        "data); unset: partition the training rows of sft.data",
    )
    partition: PartitionSection = Field(default_factory=PartitionSection, description="sites")
    central_dp: CentralDpSection | None = Field(
        None,
        description="central DP of the aggregate (clip each site's update, noise the sum); unset: "
        "none. Local DP-SGD at each site is sft.privacy.dp",
    )
    eval_files: list[str] = Field(
        default_factory=list,
        description="held-out JSONL rows the server scores the global adapter on each round; "
        "unset: the held-out split of sft.data.sources (sft.data.heldout_limit rows)",
    )
    sft: SftConfig = Field(
        default_factory=lambda: SftConfig(),
        description="the LoRA SFT recipe each site runs per round (sft.optim.max_steps = local steps)",
    )

    @field_validator("sft")
    @classmethod
    def _lora_only(cls, sft: SftConfig, info: ValidationInfo) -> SftConfig:
        if sft.mode != "lora":
            raise ValueError(
                f"sft.mode is {sft.mode!r}, but federation exchanges LoRA adapters: set sft.mode: lora"
            )
        if sft.prompt_format != "chat":  # the server scores chat-template rows (globalmodel.py)
            raise ValueError("sft.prompt_format text is not built for federation: use chat")
        if sft.privacy.dp is not None and info.data.get("strategy") == "fedprox":
            # Opacus replaces each gradient with the noised sum of clipped per-row gradients,
            # which would silently drop FedProx's proximal term
            raise ValueError("sft.privacy.dp with strategy fedprox is not built: use fedavg")
        return sft

    @model_validator(mode="after")
    def _secagg_combinations(self) -> FederatedConfig:
        if self.secagg is None:
            return self
        if self.strategy != "fedavg":  # Flower's SecAgg+ workflow drives its legacy FedAvg
            raise ValueError(f"secagg with strategy {self.strategy} is not built: use fedavg")
        if self.central_dp is not None:
            raise ValueError("secagg with central_dp is not built: unset one of them")
        if self.secagg.reconstruction_threshold > self.secagg.num_shares:
            raise ValueError("secagg.reconstruction_threshold must be <= secagg.num_shares")
        return self
