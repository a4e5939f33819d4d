"""surge's cohort model in numpy, vectorised over runs and cohorts, as a competent data
scientist would write it: every count is an array over (runs, regions, holdings or apps) and each
step draws all runs' binomials at once. The deterministic drivers (who can notice when, looking
intensity, news) come from surge itself (examples/export_model.rs), so only the stochastic
dynamics are re-implemented here; they follow docs/MODEL.md and src/engine/cohort.rs.

Usage: python3 numpy_cohort.py MODEL.json SURGE_TIMESERIES.csv SURGE_RUNS [--runs R] [--batch B]
Prints the time per run on one core and checks the mean curves against surge's within Monte
Carlo error.
"""
import argparse
import csv
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def at_least(n, c, k):
    """P(Binomial(n, c) >= k) for a real n (generalized binomial coefficients), elementwise."""
    c = np.minimum(c, 1.0)
    with np.errstate(divide="ignore"):
        term = np.exp(n * np.log1p(-c))  # (1 - c)^n, 0 where c = 1
        odds = np.where(c < 1.0, c / np.maximum(1.0 - c, 1e-300), 0.0)
    below = term.copy()
    for j in range(k - 1):
        term = term * (n - j) / (j + 1) * odds
        below = below + term
    return np.clip(np.where(c >= 1.0, 1.0, 1.0 - below), 0.0, 1.0)


def whole_slots(per_second, dt_hours, carry):
    """Whole completions a rate allows in a step, carrying the fraction (per run)."""
    slots = per_second * dt_hours * 3600.0 + carry
    whole = np.floor(slots + 1e-9)
    return whole.astype(np.int64), np.maximum(slots - whole, 0.0)


def fluid_abandoned(waiting, arriving, slots, patience_steps):
    """Expected attempts that give up in one step (per run), from the fluid queue
    dQ/dt = arrivals - slots - Q/T over the step, as surge's model/signup.rs computes it."""
    waiting, arriving, slots = (np.asarray(x, dtype=float) for x in (waiting, arriving, slots))
    t = patience_steps
    excess = arriving - slots
    lost = -math.expm1(-1.0 / t)
    full = np.maximum(waiting * lost + excess * (1.0 - t * lost), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_empty = t * np.log1p(waiting / np.where(excess < 0, -excess * t, np.inf))
    empties = (excess < 0) & (t_empty < 1.0)
    out = np.where(empties, np.maximum(waiting + excess * t_empty, 0.0), full)
    return np.where((waiting <= 0) & (arriving <= slots), 0.0, out)


def share_slots(slots, waiting):
    """Largest-remainder split of `slots` (per run) among regions in proportion to `waiting`."""
    total = waiting.sum(axis=1, keepdims=True)
    exact = slots[:, None].astype(object) * waiting.astype(object)  # exact integers
    safe = np.where(total == 0, 1, total).astype(object)
    base = (exact // safe).astype(np.int64)
    rem = (exact % safe).astype(np.float64)
    left = slots - base.sum(axis=1)
    # Rank regions by remainder (descending, ties by index) and give one more to the first `left`.
    order = np.argsort(-rem, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(waiting.shape[1])[None, :].repeat(len(slots), 0), 1)
    return base + (rank < left[:, None])


def simulate(m, runs, rng):
    """Runs `runs` runs at once; returns per output point the mean over runs of arrivals and
    registrations per app (region `all`), and their per-run values for the error check."""
    R, G = runs, len(m["users"])
    A = len(m["apps"])
    H = A + 1
    dt = m["step_hours"]
    b = m["behaviour"]
    users = np.array(m["users"], dtype=np.float64)
    active = np.array(m["active"], dtype=np.int64)  # (G, A)
    unaware = np.repeat(np.array(m["unaware"], dtype=np.int64)[None], R, 0)  # (R, G, H)
    noticed = np.zeros_like(unaware)
    chose = np.zeros((R, G, A), dtype=np.int64)  # switchers by the app chosen (first choices)
    registered = np.zeros((R, G, A), dtype=np.int64)
    reactivated = np.zeros((R, G, A), dtype=np.int64)
    retained = np.zeros((R, G, A), dtype=np.int64)
    pending = np.zeros((R, G, A), dtype=np.int64)  # arrivals not yet thinned for retention
    attract = np.array([a["attractiveness"] for a in m["apps"]])
    affinity = np.ones((H, A))
    for k in range(A):
        affinity[k + 1, k] = b["account_affinity"]
    boost = np.array([1.0] + [b["dormant_boost"]] * A)
    lanes = [(k, lane, cap) for k, a in enumerate(m["apps"])
             for lane, cap in zip(a["lanes"], a["capacity_per_second"])]
    waiting = [np.zeros((R, len(lane)), dtype=np.int64) for _, lane, _ in lanes]
    carry = [np.zeros(R) for _ in lanes]
    patience_steps = b["patience_minutes"] / 60.0 / dt
    every = m["output_every"]
    points = m["steps"] // every + 1
    out_arr = np.zeros((points, R, A))
    out_reg = np.zeros((points, R, A))
    # The migration as news (docs/MODEL.md §4, "Buzz"): per run, region and app, recent
    # switchers per user decaying with buzz_hours; noticed users add gain * sum / buzz_hours to
    # their hazard, and those it leads choose apps by its shares.
    gain, buzz_hours = b.get("buzz_gain", 0.0), b.get("buzz_hours", 24.0)
    buzz = np.zeros((R, G, A))
    # Its novelty: a switcher adds (1 + novelty * psi), psi the share of the app's users in the
    # region who arrived in the run (arrived / (active at the start + arrived)).
    novelty = b.get("buzz_novelty", 0.0)
    arrived = np.zeros((R, G, A))
    # The dormant boost through contacts (MODEL.md §4): 1 + (boost - 1)(1 - (1 - C_k)^n).
    via_contacts = b.get("dormant_contacts", 0.0)
    # ... needing at least k of the n contacts there (dormant_threshold): P(Binomial(n, C) >= k).
    threshold = int(b.get("dormant_threshold", 1.0))
    for step in range(m["steps"]):
        attempts = np.zeros((R, G, A), dtype=np.int64)
        switches = np.zeros((R, G, A), dtype=np.int64)
        for r in range(G):
            rate, look = m["notice_rate"][step][r], m["looking"][step][r]
            level = buzz[:, r, :].sum(axis=1)  # (R,)
            buzz_hazard = gain * level / buzz_hours
            if rate <= 0 and look <= 0 and not (buzz_hazard > 0).any():
                continue
            if rate > 0:
                newly = rng.binomial(unaware[:, r, :], -math.expm1(-rate * dt))
                unaware[:, r, :] -= newly
                noticed[:, r, :] += newly
            if look <= 0 and not (buzz_hazard > 0).any():
                continue
            share = chose[:, r, :].sum(axis=1) / users[r]
            contacts = (active[r][None, :] + registered[:, r, :] + reactivated[:, r, :]) / users[r]
            if via_contacts > 0:
                if threshold > 1:
                    reached = at_least(via_contacts, contacts, threshold)  # (R, A)
                else:
                    reached = -np.expm1(via_contacts * np.log1p(-contacts))
                holder_boost = np.concatenate(
                    [np.ones((R, 1)), 1.0 + (b["dormant_boost"] - 1.0) * reached], axis=1)
            else:
                holder_boost = boost[None, :]
            # Holders' boost acts on the spontaneous term and on word of mouth (MODEL.md §4): on
            # the moves to her own app and (1 - theta) of the rest; theta of them unboosted.
            theta = b.get("own_app_moves", 0.0)
            own = np.concatenate([np.zeros((R, 1)), chose[:, r, :] / users[r]], axis=1)  # (R, H)
            elsewhere = share[:, None] - own
            hazard = look * (holder_boost * (b["p"] + b["q"] * (own + (1.0 - theta) * elsewhere))
                             + b["q"] * theta * elsewhere
                             + b["nu"] * m["news"][step][r]) + buzz_hazard[:, None]
            moving = rng.binomial(noticed[:, r, :], -np.expm1(-hazard * dt))
            if not moving.any():
                continue
            noticed[:, r, :] -= moving
            for h in range(H):
                if not moving[:, h].any():
                    continue
                w = attract[None, :] * (1 + b["contact_weight"] * contacts) * affinity[h][None, :]
                probs = w / w.sum(axis=1, keepdims=True)
                if gain > 0:
                    # Unannounced outages only (M = 0, no app named): the buzz-led share
                    # phi = buzz hazard / hazard goes by the buzz's shares.
                    with np.errstate(divide="ignore", invalid="ignore"):
                        phi = np.where(hazard[:, h] > 0, buzz_hazard / hazard[:, h], 0.0)
                        shares = np.where(level[:, None] > 0,
                                          buzz[:, r, :] / level[:, None], 0.0)
                    phi = np.clip(phi, 0.0, 1.0)[:, None]
                    probs = phi * shares + (1.0 - phi) * probs
                chosen = rng.multinomial(moving[:, h], probs / probs.sum(axis=1, keepdims=True))
                switches[:, r, :] += chosen
                chose[:, r, :] += chosen
                if h > 0:
                    reactivated[:, r, h - 1] += chosen[:, h - 1]
                    pending[:, r, h - 1] += chosen[:, h - 1]
                    chosen[:, h - 1] = 0
                attempts[:, r, :] += chosen
        if gain > 0 and novelty > 0:
            arrived += switches
            base = active[None, :, :].astype(np.float64)
            psi = np.where(arrived > 0, arrived / np.maximum(base + arrived, 1e-300), 0.0)
            buzz = (buzz * math.exp(-dt / buzz_hours)
                    + switches * (1.0 + novelty * psi) / users[None, :, None])
            buzz = np.where(gain * buzz / buzz_hours < 1e-15, 0.0, buzz)
        elif gain > 0:
            buzz = buzz * math.exp(-dt / buzz_hours) + switches / users[None, :, None]
            buzz = np.where(gain * buzz / buzz_hours < 1e-15, 0.0, buzz)
        for i, (k, lane, cap) in enumerate(lanes):
            wq = waiting[i]
            att = attempts[:, lane, k]
            busy = (wq.sum(axis=1) > 0) | (att.sum(axis=1) > 0)  # idle lanes do not step
            if not busy.any():
                continue
            before, arriving = wq.sum(axis=1), att.sum(axis=1)
            wq += att
            if cap is None:
                served = wq.copy()
            else:
                slots, new_carry = whole_slots(cap, dt, carry[i])
                carry[i] = np.where(busy, new_carry, carry[i])
                slots = np.where(busy, slots, 0)
                lost = fluid_abandoned(before, arriving, slots, patience_steps)
                present = np.maximum(before + arriving, 1)
                wq -= rng.binomial(wq, np.clip(lost / present, 0.0, 1.0)[:, None])
                total = wq.sum(axis=1)
                served = np.where((total <= slots)[:, None], wq,
                                  share_slots(np.minimum(slots, total), wq))
            wq -= served
            registered[:, lane, k] += served
            pending[:, lane, k] += served
        if m["retention_due"][step]:
            for k, a in enumerate(m["apps"]):
                retained[:, :, k] += rng.binomial(pending[:, :, k], a["retention_30d"])
                pending[:, :, k] = 0
        if (step + 1) % every == 0:
            p = (step + 1) // every
            out_reg[p] = registered.sum(axis=1)
            out_arr[p] = out_reg[p] + reactivated.sum(axis=1)
    return out_arr, out_reg


def surge_curves(path, apps):
    """Mean and a standard-error estimate (from the 90% band) per (app, metric) at region all."""
    rows = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["region"] == "all" and row["metric"] in ("arrivals", "registrations"):
                key = (row["app"], row["metric"])
                rows.setdefault(key, []).append(
                    (float(row["mean"]), (float(row["p95"]) - float(row["p05"])) / 3.29))
    return {k: (np.array([v[0] for v in vs]), np.array([v[1] for v in vs])) for k, vs in rows.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("surge_timeseries")
    ap.add_argument("surge_runs", type=int)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    m = json.load(open(args.model))
    rng = np.random.default_rng(1)
    sums = None
    start = time.process_time()
    done, arr_all, reg_all = 0, [], []
    while done < args.runs:
        n = min(args.batch, args.runs - done)
        arr, reg = simulate(m, n, rng)
        arr_all.append(arr)
        reg_all.append(reg)
        done += n
    per_run = (time.process_time() - start) / args.runs
    arr = np.concatenate(arr_all, axis=1)
    reg = np.concatenate(reg_all, axis=1)
    surge = surge_curves(args.surge_timeseries, [a["name"] for a in m["apps"]])
    worst = 0.0
    for k, app in enumerate(m["apps"]):
        for metric, values in (("arrivals", arr), ("registrations", reg)):
            s_mean, s_sd = surge[(app["name"], metric)]
            mean = values[:, :, k].mean(axis=1)
            se = np.sqrt(values[:, :, k].var(axis=1, ddof=1) / args.runs + s_sd**2 / args.surge_runs)
            # Counts are printed with one decimal: allow that rounding too.
            z = np.abs(mean[1:] - s_mean[1:]) / (se[1:] + 0.1)
            worst = max(worst, float(z.max()))
            print(f"{app['name']:>10} {metric:<14} final mean numpy {mean[-1]:.4g} "
                  f"surge {s_mean[-1]:.4g}  largest |diff|/se over time {z.max():.2f}")
    print(f"numpy: {per_run * 1e3:.3f} ms per run on one core ({args.runs} runs, batches of {args.batch})")
    print(f"PERF numpy_ms_per_run {per_run * 1e3:.4f}")
    if worst > 5.0:
        print(f"mean curves differ by {worst:.1f} standard errors (allowed 5)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
