"""surge's agent model in Mesa, written as Mesa's documentation recommends: a `mesa.Model` whose
users are `mesa.Agent`s on a `mesa.space.NetworkGrid` (as in Mesa's virus-on-network example),
activated each step with `self.agents.shuffle_do("step")`, each user reading her neighbours
through the grid (once: the network does not change). The deterministic drivers (who can notice when, looking intensity, news) and
each run's contact network and accounts come from surge itself (examples/export_agents.rs), so
only the dynamics are written again here; they follow docs/MODEL.md §13 and
src/engine/agents.rs: noticing, the looking hazard with the user's own contacts' switched share
(a dormant holder's boost on the spontaneous term and word of mouth, given only when a contact of
hers is on her app if `dormant_contacts` > 0), the buzz (the region's recent switchers per app,
weighted by the novelty) and the users it leads, the choice weights with her contacts' shares
per app, first-come first-served sign-up queues per lane with patience, retention per output
interval. Contacts see a step's moves from the next step on.

Usage: python3 mesa_agents.py EXPORT_DIR SURGE_SPAGHETTI.csv (surge run with --spaghetti = --runs)
Prints the time per user-step of Mesa on one core and checks the mean curves against surge's
agent engine within Monte Carlo error.
"""
import argparse
import csv
import json
import math
import sys
import time

import mesa
import networkx as nx
import numpy as np


def probability(rate, dt):
    return 0.0 if rate <= 0.0 else -math.expm1(-rate * dt)


class User(mesa.Agent):
    """A user: her region, her accounts (bit k: app k), and where she stands."""

    def __init__(self, model, region, active, dormant):
        super().__init__(model)
        self.region = region
        self.dormant = dormant
        # Apps she is on as her contacts see them (active, or arrived in an earlier step).
        self.on_apps = active
        self.chose_app = None  # the alternative she chose, as her contacts see it
        self.state = "active" if active else "unaware"
        # Her holding: the first app she holds a dormant account at (surge's holding group).
        self.holding = (dormant & -dormant).bit_length() - 1 if dormant else None

    def step(self):
        m = self.model
        r = self.region
        if self.state == "unaware":
            if self.random.random() < m.notice_p[r]:
                self.state = "noticed"
            else:
                return
        looking, buzz = m.looking_now[r], m.buzz_hazard[r]
        if self.state != "noticed" or (looking <= 0.0 and buzz <= 0.0):
            return
        neighbours = self.neighbours
        degree = max(len(neighbours), 1)
        switched = sum(1 for n in neighbours if n.chose_app is not None) / degree
        b = m.b
        boost = 1.0
        if self.holding is not None:
            boost = b["dormant_boost"]
            # Pulled back only if at least dormant_threshold of her contacts use her app.
            if b.get("dormant_contacts", 0.0) > 0.0 and sum(
                    n.on_apps >> self.holding & 1 for n in neighbours) < b.get(
                        "dormant_threshold", 1.0):
                boost = 1.0
        # Moves to her own app (MODEL.md §4): the boost takes those and (1 - theta) of the rest.
        theta = b.get("own_app_moves", 0.0)
        own = 0.0
        if self.holding is not None:
            own = sum(1 for n in neighbours if n.chose_app == self.holding) / degree
        elsewhere = switched - own
        hazard = buzz
        if looking > 0.0:
            hazard += looking * (boost * (b["p"] + b["q"] * (own + (1.0 - theta) * elsewhere))
                                 + b["q"] * theta * elsewhere + b["nu"] * m.news_now[r])
        if self.random.random() >= probability(hazard, m.dt):
            return
        weights = []
        for k, app in enumerate(m.apps):
            share = sum(1 for n in neighbours if n.on_apps >> k & 1) / degree
            affinity = b["account_affinity"] if self.dormant >> k & 1 else 1.0
            weights.append(app["attractiveness"] * (1.0 + b["contact_weight"] * share) * affinity)
        if buzz > 0.0:
            # The buzz leads buzz / hazard of them to its apps (unannounced outage: no news-led
            # names), the others choose by the weights.
            led = min(buzz / hazard, 1.0)
            total, level = sum(weights), m.buzz_level[r]
            weights = [led * level[k] / sum(level) + (1.0 - led) * w / total
                       for k, w in enumerate(weights)]
        k = self.random.choices(range(len(m.apps)), weights)[0]
        m.chose_now.append(self)
        self.picked = k
        m.buzz_pending[r][k] += 1
        if self.dormant >> k & 1:
            m.reactivated[r][k] += 1
            m.arrivals_since[r][k] += 1
            m.arrived_now.append((self, k))
            self.state = "done"
        else:
            m.queues[r][k].append(self)
            m.attempts[k][r] += 1
            self.state = "queued"


class Lane:
    """A sign-up queue over some regions under one capacity (surge's model/signup.rs)."""

    def __init__(self, regions, capacity):
        self.regions = regions
        self.capacity = capacity
        self.carry = 0.0

    def slots(self, dt):
        s = self.capacity * dt * 3600.0 + self.carry
        whole = math.floor(s + 1e-9)
        self.carry = max(s - whole, 0.0)
        return whole

    def step(self, model, k):
        waiting = [len(model.queues[r][k]) for r in self.regions]
        total = sum(waiting)
        if total == 0:
            return
        slots = total if self.capacity is None else self.slots(model.dt)
        if total <= slots:
            served = waiting
        else:  # largest remainder, ties to the lower index
            exact = [slots * w for w in waiting]
            served = [e // total for e in exact]
            order = sorted(range(len(waiting)), key=lambda i: (-(exact[i] % total), i))
            for i in order[: slots - sum(served)]:
                served[i] += 1
        for r, n in zip(self.regions, served):
            queue = model.queues[r][k]
            for user in queue[:n]:
                model.arrived_now.append((user, k))
                user.state = "done"
            del queue[:n]
            model.registered[r][k] += n
            model.arrivals_since[r][k] += n
        if self.capacity is None:
            return
        give_up = probability(60.0 / model.b["patience_minutes"], model.dt)
        for r in self.regions:
            queue = model.queues[r][k]
            quit_ = model.rng.binomial(len(queue), give_up) if queue else 0
            for i in sorted(model.random.sample(range(len(queue)), quit_), reverse=True):
                queue[i].state = "done"
                del queue[i]


class Surge(mesa.Model):
    def __init__(self, m, export_dir, run, seed):
        super().__init__(seed=seed)
        self.rng = np.random.default_rng(seed)
        self.m = m
        self.b = m["behaviour"]
        self.apps = m["apps"]
        self.dt = m["step_hours"]
        offsets = np.fromfile(f"{export_dir}/run-{run}.offsets.u64", dtype="<u8")
        contacts = np.fromfile(f"{export_dir}/run-{run}.contacts.u32", dtype="<u4")
        region = np.fromfile(f"{export_dir}/run-{run}.region.u16", dtype="<u2")
        active = np.fromfile(f"{export_dir}/run-{run}.active.u16", dtype="<u2")
        dormant = np.fromfile(f"{export_dir}/run-{run}.dormant.u16", dtype="<u2")
        n = len(region)
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        for i in range(n):
            row = contacts[offsets[i]:offsets[i + 1]]
            graph.add_edges_from((i, int(j)) for j in row if j > i)
        self.grid = mesa.space.NetworkGrid(graph)
        for i in range(n):
            user = User(self, int(region[i]), int(active[i]), int(dormant[i]))
            self.grid.place_agent(user, i)
        # The network does not change: each user's neighbours are read from the grid once.
        for user in self.agents:
            user.neighbours = self.grid.get_neighbors(user.pos, include_center=False)
        regions, apps = len(m["agents"]), len(self.apps)
        self.queues = [[[] for _ in range(apps)] for _ in range(regions)]
        self.registered = [[0] * apps for _ in range(regions)]
        self.reactivated = [[0] * apps for _ in range(regions)]
        self.arrivals_since = [[0] * apps for _ in range(regions)]
        self.retained = [[0] * apps for _ in range(regions)]
        self.lanes = [[Lane(l, c) for l, c in zip(a["lanes"], a["capacity_per_second"])]
                      for a in self.apps]
        # The buzz (docs/MODEL.md §4), in shares of each region's agents, and its novelty's base:
        # the agents active on each app at the start.
        self.region_agents = [max(int(np.sum(region == g)), 1) for g in range(regions)]
        self.buzz_level = [[0.0] * apps for _ in range(regions)]
        self.buzz_pending = [[0] * apps for _ in range(regions)]
        self.buzz_arrived = [[0.0] * apps for _ in range(regions)]
        self.buzz_base = [[m["active_share"][g][k] * self.region_agents[g] for k in range(apps)]
                          for g in range(regions)]
        self.t = 0
        self.curves = []  # per output point: (arrivals, registrations) per app, real users

    def step(self):
        m, s = self.m, self.t
        self.notice_p = [probability(x, self.dt) for x in m["notice_rate"][s]]
        self.looking_now = m["looking"][s]
        self.news_now = m["news"][s]
        self.attempts = [[0] * len(m["agents"]) for _ in self.apps]
        self.chose_now, self.arrived_now = [], []
        b = self.b
        gain, hours = b.get("buzz_gain", 0.0), b.get("buzz_hours", 24.0)
        self.buzz_hazard = [gain * sum(level) / hours for level in self.buzz_level]
        self.agents.shuffle_do("step")
        if gain > 0.0:
            decay, novelty = math.exp(-self.dt / hours), b.get("buzz_novelty", 0.0)
            for g, level in enumerate(self.buzz_level):
                for k in range(len(level)):
                    n = self.buzz_pending[g][k]
                    self.buzz_pending[g][k] = 0
                    self.buzz_arrived[g][k] += n
                    arrived = self.buzz_arrived[g][k]
                    psi = arrived / (self.buzz_base[g][k] + arrived) if arrived > 0 else 0.0
                    level[k] = level[k] * decay + n * (1.0 + novelty * psi) / self.region_agents[g]
                    if gain * level[k] / hours < 1e-15:
                        level[k] = 0.0
        for k, lanes in enumerate(self.lanes):
            for lane in lanes:
                lane.step(self, k)
            if m["retention_due"][s]:
                for r in range(len(m["agents"])):
                    due = self.arrivals_since[r][k]
                    self.arrivals_since[r][k] = 0
                    self.retained[r][k] += self.rng.binomial(due, self.apps[k]["retention_30d"])
        for user in self.chose_now:
            user.chose_app = user.picked
        for user, k in self.arrived_now:
            user.on_apps |= 1 << k
        self.t += 1
        if self.t % m["output_every"] == 0:
            w = m["weight"]
            reg = [sum(round(self.registered[r][k] * w[r]) for r in range(len(w)))
                   for k in range(len(self.apps))]
            arr = [reg[k] + sum(round(self.reactivated[r][k] * w[r]) for r in range(len(w)))
                   for k in range(len(self.apps))]
            self.curves.append((arr, reg))


def surge_runs(path):
    """surge's own runs (spaghetti.csv, every run kept): per (app, metric), an array
    (runs, points) of the region-`all` curve."""
    rows = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["metric"] in ("arrivals", "registrations"):
                key = (row["app"], row["metric"])
                rows.setdefault(key, {}).setdefault(int(row["run"]), []).append(float(row["value"]))
    return {k: np.array([v[r] for r in sorted(v)]) for k, v in rows.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export_dir")
    ap.add_argument("surge_spaghetti")
    args = ap.parse_args()
    m = json.load(open(f"{args.export_dir}/model.json"))
    runs = m["runs"]
    users = sum(m["agents"])
    arr_all, reg_all = [], []
    build = simulate = 0.0
    for run in range(runs):
        t0 = time.process_time()
        model = Surge(m, args.export_dir, run, seed=1000 + run)
        t1 = time.process_time()
        for _ in range(m["steps"]):
            model.step()
        t2 = time.process_time()
        build += t1 - t0
        simulate += t2 - t1
        # Point 0 is the start (nothing has happened yet), as in surge's timeseries.csv.
        napps = len(m["apps"])
        arr_all.append([[0] * napps] + [a for a, _ in model.curves])
        reg_all.append([[0] * napps] + [r for _, r in model.curves])
        print(f"mesa run {run}: network {t1 - t0:.1f} s, {m['steps']} steps {t2 - t1:.1f} s", flush=True)
    arr = np.array(arr_all, dtype=float)  # (runs, points, apps)
    reg = np.array(reg_all, dtype=float)
    surge = surge_runs(args.surge_spaghetti)
    worst = 0.0
    # Under the hypothesis that both simulate the same model, both runs' curves have the
    # variance of surge's (estimated from its many runs): the difference of the means has
    # standard error sd * sqrt(1/runs + 1/surge runs). One simulated user's weight is the
    # floor of the difference that counts (results move in whole simulated users).
    floor = max(m["weight"]) / 2
    for k, app in enumerate(m["apps"]):
        for metric, values in (("arrivals", arr), ("registrations", reg)):
            s_runs = surge[(app["name"], metric)]
            n_s = s_runs.shape[0]
            s_mean = s_runs.mean(axis=0)
            s_sd = s_runs.std(axis=0, ddof=1)
            mean = values[:, :, k].mean(axis=0)
            se = s_sd * math.sqrt(1 / runs + 1 / n_s)
            z = np.maximum(np.abs(mean - s_mean) - floor, 0) / np.maximum(se, floor / 10)
            worst = max(worst, float(z.max()))
            print(f"{app['name']:>10} {metric:<14} final mean mesa {mean[-1]:.4g} "
                  f"surge {s_mean[-1]:.4g}  largest |diff|/se over time {z.max():.2f}")
    user_steps = users * m["steps"] * runs
    ns = simulate / user_steps * 1e9
    print(f"mesa {mesa.__version__}: {users} users x {m['steps']} steps x {runs} runs: "
          f"{simulate:.1f} s of steps ({ns:.1f} ns per user-step, one core), {build:.1f} s building")
    print(f"PERF mesa_ns_per_user_step {ns:.3f}")
    if worst > 5.0:
        print(f"mean curves differ by {worst:.1f} standard errors (allowed 5)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
