"""Writes a scenario at country resolution for the issue-25 target (docs: benches/README.md):
REGIONS regions (default 200) with their own UTC offsets, 6 alternative apps with a capacity
and account shares per region, a 6-hour outage of WhatsApp and 3 days at 5-minute steps.
The populations and shares are synthetic (a size and speed test, not an event): 2 billion
users split by a Zipf law over the regions, offsets spread from -10 to +12 h.

Usage: python3 benches/country/make_scenario.py [REGIONS] > target/country.toml
"""
import sys

regions = int(sys.argv[1]) if len(sys.argv) > 1 else 200
apps = ["telegram", "signal", "twitter", "line", "viber", "wechat"]
weights = [1.0 / (i + 1) for i in range(regions)]
total = 2_000_000_000
users = [max(10_000, int(total * w / sum(weights))) for w in weights]
print('name = "country-resolution"')
print('description = "Size test: %d regions, 6 apps, 3 days at 5-minute steps"' % regions)
print('params = "../params/default.toml"')
print("""
[simulation]
lead_hours = 6
horizon_hours = 78
step_minutes = 5
output_minutes = 30
runs = 1000
seed = 25

[event]
kind = "outage"
services = ["whatsapp"]
start = 2021-10-04T15:00:00Z
duration_hours = 6
severity = 1.0
""")
names = ["c%03d" % i for i in range(regions)]
for i, (name, n) in enumerate(zip(names, users)):
    offset = -10 + (22 * i) // max(regions - 1, 1)
    print("[[regions]]\nname = \"%s\"\nusers = %d\nutc_offset_hours = %d\nreachable_elsewhere = 0.5\n" % (name, n, offset))
for k, app in enumerate(apps):
    share = lambda base: "{ " + ", ".join("%s = %.4f" % (r, base * (1 + (i + k) % 5) / 5) for i, r in enumerate(names)) + " }"
    cap = "{ " + ", ".join("%s = %d" % (r, 5 + (i * 7 + k) % 50) for i, r in enumerate(names)) + " }"
    print("[[apps]]\nname = \"%s\"\nattractiveness = %.2f\nbaseline_per_day = %d\nretention_30d = 0.4" % (app, 1.0 / (k + 1), 100_000 // (k + 1)))
    print("capacity_by_region = %s" % cap)
    print("active_share = %s" % share(0.05))
    print("dormant_share = %s\n" % share(0.03))
