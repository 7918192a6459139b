"""Network runs over /ws: what a step carries, live changes, reset with new weights, own data."""

from __future__ import annotations

import pytest

from tests.api.wsutil import Reader

START = {"type": "start", "dataset": {"id": "moons", "n": 100, "seed": 1},
         "network": {"hidden": [8, 8], "activation": "tanh"}, "seed": 3, "steps": 60,
         "speed": 0, "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.02}]}


def test_a_network_session_streams_what_the_view_draws(conn: Reader) -> None:
    conn.send(START)
    started = conn.until("started")
    config = started["config"]
    assert config["kind"] == "network" and config["sizes"] == [2, 8, 8, 2]
    assert len(config["data"]["x"]) == 100 and len(config["data"]["labels"]) == 100
    assert config["plane"]["mode"] == "random"
    every = config["weights_every"]
    assert every >= 1
    done = conn.until("done")
    assert [r["status"] for r in done["runs"]] == ["done", "done"]
    for run in (0, 1):
        steps = conn.steps(run)
        assert [s["step"] for s in steps] == list(range(61))
        assert steps[0]["plane"] == [0.0, 0.0]  # the plane passes through the initial weights
        assert all(0 <= s["accuracy"] <= 1 and len(s["grad_norms"]) == 3 for s in steps)
        with_weights = [s for s in steps if "weights" in s]
        assert [s["step"] for s in with_weights] == list(range(0, 61, every))
        w = with_weights[-1]["weights"]
        assert [len(w[0]["W"]), len(w[0]["W"][0])] == [8, 2]  # W1 is (out, in)
    assert conn.steps(1)[-1]["loss"] < conn.steps(1)[0]["loss"]
    frames = [m for m in conn.messages if m["type"] == "frame"]
    boundaries = [r["boundary"] for m in frames for r in m["runs"] if "boundary" in r]
    assert boundaries and len(boundaries[-1]["z"]) == len(config["boundary"]["y"])
    # Both runs start from the same weights: a fair comparison.
    assert conn.steps(0)[0]["weights"] == conn.steps(1)[0]["weights"]


def test_set_lr_and_reset_with_new_weights(conn: Reader) -> None:
    conn.send(START | {"speed": 200, "steps": 2000})
    conn.until("frame")
    conn.send({"type": "set", "run": 0, "lr": 0.05})
    k = conn.until("updated")["from_step"]["0"]
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    steps = conn.steps(0)
    assert all(s["lr"] == 0.05 for s in steps if s["step"] >= k)
    first = conn.steps(0)[0]["weights"]
    conn.messages.clear()
    conn.send({"type": "reset"})
    same = conn.until("reset")
    assert same["runs"][0]["steps"][0]["weights"] == first
    conn.send({"type": "reset", "new_weights": True})
    new = conn.until("reset")
    assert new["runs"][0]["steps"][0]["weights"] != first
    assert new["plane"]["seed"] == START["seed"] + 1
    conn.send({"type": "stop"})
    conn.until("done")


def test_own_points(conn: Reader) -> None:
    points = [[0, 0, 0], [0.1, 0.2, 0], [1, 1, 1], [0.9, 1.1, 1], [0.5, 0.4, 2]]
    conn.send(START | {"points": points, "steps": 5})
    started = conn.until("started")
    assert started["config"]["sizes"][-1] == 3 and started["config"]["custom_points"]
    conn.until("done")


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"points": [[0, 0, 0], [1, 1, 0], [2, 2, 0], [3, 3, 0]]}, "points"),
        ({"points": [[0, 0, 0.5]] * 4}, "points"),
        ({"network": {"hidden": [1000]}}, "network.hidden.0"),
        ({"dataset": {"id": "nope"}}, "dataset.id"),
        ({"runs": [{"optimizer": "adam", "lr": "NaN"}]}, "runs.0.lr"),
        ({"steps": 10**7}, "steps"),
        ({"plane": "pca"}, "plane"),
    ],
)
def test_bad_network_starts_name_the_field(conn: Reader, patch: dict, field: str) -> None:
    conn.send(START | patch)
    error = conn.until("error")
    assert error["field"] == field, error
    conn.send(START | {"steps": 2})
    conn.until("done")


def test_a_diverging_network_run(conn: Reader) -> None:
    conn.send({"type": "start", "dataset": {"id": "sine", "n": 80}, "network": {"hidden": [16],
               "activation": "relu"}, "steps": 300, "speed": 0,
               "runs": [{"optimizer": "sgd", "lr": 10.0}, {"optimizer": "adam", "lr": 0.01}]})
    diverged = conn.until("diverged")
    assert diverged["run"] == 0
    done = conn.until("done")
    assert [r["status"] for r in done["runs"]] == ["diverged", "done"]


def test_the_live_plane_is_the_landscape_endpoints_plane(conn: Reader, client) -> None:
    """The page draws live paths over POST /api/mlp/landscape's surface: same plane."""
    conn.send(START | {"steps": 40})
    started = conn.until("started")
    conn.until("done")
    plane = started["config"]["plane"]
    body = {k: START[k] for k in ("dataset", "network", "runs")} | {
        "seed": plane["seed"], "steps": 40, "directions": plane["mode"], "centre": "initial",
        "grid": 11}
    r = client.post("/api/mlp/landscape", json=body)
    assert r.status_code == 200, r.text
    for i, run in enumerate(r.json()["runs"]):
        live = conn.steps(i)[-1]["plane"]
        assert [run["path"]["x"][-1], run["path"]["y"][-1]] == pytest.approx(live, rel=1e-9)


def test_landscape_with_own_points(client) -> None:
    points = [[0, 0, 0], [0.1, 0.2, 0], [1, 1, 1], [0.9, 1.1, 1], [0.2, 0.1, 0], [1, 0.8, 1]]
    body = {"points": points, "network": {"hidden": [4]}, "steps": 20, "grid": 5,
            "runs": [{"optimizer": "adam", "lr": 0.05}]}
    r = client.post("/api/mlp/landscape", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["sizes"] == [2, 4, 2]


def test_at_full_speed_every_step_arrives_once_and_in_order(conn: Reader) -> None:
    """At speed 0 the next batch computes while the last is sent (two batches at once): the
    frames still hold every step once, in order, and `done` comes after the last."""
    conn.send(START | {"steps": 1500, "columns": True})
    conn.until("done")
    frames = [m for m in conn.messages if m["type"] == "frame"]
    assert len(frames) > 3  # several batches, so some were computed ahead
    for run in (0, 1):
        assert [s["step"] for s in conn.steps(run)] == list(range(1501))
    assert conn.messages[-1]["type"] == "done"


def test_step_n_after_a_pause_at_full_speed_takes_n_steps(conn: Reader) -> None:
    """A batch computing ahead when `pause` and `step n` arrive is sent, but does not use up
    the n steps: the last frame before the next pause holds exactly n steps of each run."""
    conn.send(START | {"steps": 5000, "columns": True})
    conn.until("frame")
    conn.until("frame")
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    conn.send({"type": "step", "n": 5})
    conn.until("state", state="running")
    paused = conn.until("state", state="paused")
    last = [m for m in conn.messages if m["type"] == "frame"][-1]
    assert [r["steps"]["step"] for r in last["runs"]] == [
        list(range(paused["step"] - 4, paused["step"] + 1))] * 2
    for run in (0, 1):
        assert [s["step"] for s in conn.steps(run)] == list(range(paused["step"] + 1))
    conn.send({"type": "stop"})
    conn.until("done")


def test_as_columns_a_frame_carries_the_weights_of_its_last_kth_step_only(conn: Reader) -> None:
    """The page keeps the newest weights only: a frame's column has them at its last multiple of
    weights_every, null elsewhere; a slow run's one-step frames still get every k-th step's."""
    # no sharpness readings: the steps with one keep their weights too (test_curvature.py)
    conn.send(START | {"weights_every": 7, "speed": 0, "columns": True, "sharpness_every": 0})
    assert conn.until("started")["config"]["weights_every"] == 7
    conn.until("done")
    frames = [r["steps"] for m in conn.messages if m["type"] == "frame" for r in m["runs"]]
    for cols in frames:
        assert len({len(c) for c in cols.values()}) == 1  # one entry per step in every column
        kth = [k for k in cols["step"] if k % 7 == 0]
        if "weights" in cols:
            carried = [k for k, w in zip(cols["step"], cols["weights"], strict=True) if w]
            assert carried == kth[-1:]
            assert [k for k, g in zip(cols["step"], cols["grads"], strict=True) if g] == carried
        else:
            assert not kth
    assert any(len([k for k in cols["step"] if k % 7 == 0]) > 1 for cols in frames), \
        "a frame with several k-th steps, or the rule was not exercised"
    conn.messages.clear()
    conn.send(START | {"weights_every": 7, "speed": 100, "steps": 15, "columns": True})
    conn.until("done")
    steps = conn.steps(0)
    assert [s["step"] for s in steps if "weights" in s] == [0, 7, 14]


def test_in_rows_only_every_kth_step_carries_weights(conn: Reader) -> None:
    conn.send(START | {"weights_every": 7, "speed": 0})
    conn.until("done")
    frames = [r["steps"] for m in conn.messages if m["type"] == "frame" for r in m["runs"]]
    assert all(isinstance(steps, list) for steps in frames)  # one object per step by default
    carried = [s["step"] for steps in frames for s in steps if "weights" in s]
    assert sorted(carried) == sorted(2 * list(range(0, 61, 7)))  # two runs, frame by frame
    assert all("grads" in s for steps in frames for s in steps if "weights" in s)


def test_a_test_set_and_penalty_travel_as_columns(conn: Reader) -> None:
    conn.send(START | {"test_fraction": 0.2, "label_noise": 0.1, "columns": True,
                       "network": {"hidden": [8], "l1": 0.001, "dropout": 0.1}})
    config = conn.until("started")["config"]
    data = config["data"]
    assert len(data["x"]) == 100 and sum(data["test"]) == 20
    assert sum(data["flipped"]) == 8 and not any(
        t and f for t, f in zip(data["test"], data["flipped"], strict=True))
    assert config["regularization"] == {"l1": 0.001, "l2": 0.0, "dropout": 0.1}
    done = conn.until("done")
    frames = [r for m in conn.messages if m["type"] == "frame" for r in m["runs"]]
    cols = [r["steps"] for r in frames if r["id"] == 1]
    test_loss = [v for c in cols for v in c["test_loss"]]
    assert len(test_loss) == 61 and all(v is not None for v in test_loss)
    assert all(v > 0 for c in cols for v in c["penalty"])
    best = done["runs"][1]["best_test"]
    assert best["loss"] == min(test_loss) and frames[-1]["best_test"] is not None


def test_unit_maps_travel_at_their_own_pace(conn: Reader) -> None:
    conn.send(START | {"neurons": 11, "network": {"hidden": [3, 2]}, "steps": 30})
    grid = conn.until("started")["config"]["neurons"]
    assert len(grid["x"]) == 11 and len(grid["y"]) == 11
    conn.until("done")
    maps = [r["neurons"] for m in conn.messages if m["type"] == "frame" for r in m["runs"]
            if "neurons" in r]
    assert {m["step"] for m in maps} >= {0, 30}  # the start and the last step at least
    layers = maps[-1]["layers"]
    assert [len(a) for a in layers] == [3, 2] and len(layers[0][0]) == 11
    assert all(-1 <= v <= 1 and v == round(v, 2) for row in layers[0][0] for v in row)


@pytest.mark.parametrize(("change", "text"), [
    ({"neurons": 31, "network": {"hidden": [64]}}, "exceeds"),
    ({"neurons": 11, "dataset": {"id": "modular"}}, "inputs"),
])
def test_unit_maps_are_limited(conn: Reader, change, text) -> None:
    conn.send(START | change)
    error = conn.until("error")
    assert error["field"] == "neurons" and text in error["message"]


def test_as_columns_weights_travel_packed_with_exactly_the_same_numbers() -> None:
    """The serializer (no socket): as columns a carried step's W and b are base64 of
    little-endian float64s that decode to exactly the numbers the objects carry (as before);
    weights that are not finite travel as numbers, with nulls."""
    import numpy as np

    from app.api.jsonsafe import dumps
    from app.api.live.kinds import NetworkLive
    from app.api.schemas.ws import client_message
    from tests.api.wsutil import step_rows, strict_loads, unpacked

    def frame_runs(columns: bool) -> tuple[NetworkLive, list[dict]]:
        msg = client_message.validate_python(START | {"columns": columns, "weights_every": 3})
        live, _ = NetworkLive.from_message(msg)
        frame = next(m for m in live.messages(live.runset.advance(7)) if m["type"] == "frame")
        return live, strict_loads(dumps(frame).decode())["runs"]

    live, runs = frame_runs(columns=True)
    _, objects = frame_runs(columns=False)
    for run, plain in zip(runs, objects, strict=True):
        cols = run["steps"]
        assert cols["step"] == list(range(1, 8))
        # as columns (the page's frames) the batch's last k-th step only: 6, where rows have 3, 6
        assert [w is not None for w in cols["weights"]] == [s == 6 for s in cols["step"]]
        layer = cols["weights"][5][0]  # step 6's first layer
        assert isinstance(layer["W"], str) and isinstance(layer["b"], str)
        expected = [{k: v for k, v in row.items()
                     if row["step"] == 6 or k not in ("weights", "grads")}
                    for row in plain["steps"]]
        assert step_rows(cols) == expected  # unpacked: the objects' numbers, bit for bit
    model, theta = live.problem.model, live.runs[1].current_theta
    layers = strict_loads(dumps(live.layers_json(theta)).decode())
    exact = [(np.array(unpacked(w["W"], len(unpacked(w["b"])))), np.array(unpacked(w["b"])))
             for w in layers]
    assert model.flatten(exact).tolist() == theta.tolist()
    bad = theta.copy()
    bad[0] = np.nan
    assert strict_loads(dumps(live.layers_json(bad)).decode())[0]["W"][0][0] is None
