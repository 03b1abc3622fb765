"""The local SFT steps every federated test runs at each site (a tiny model, 2 steps)."""

OPTIM = {
    "max_steps": 2,
    "batch_size": 2,
    "max_length": 64,
    "learning_rate": 1e-2,
    "save_steps": 100,
    "tensorboard": False,
}
