//! Plots and comparisons through the real binary: files exist and decode at the requested size,
//! the SVG names what it shows, `surge plot` redraws from saved results, and `surge compare`
//! pairs runs that share their random streams.

use assert_cmd::Command;
use std::path::Path;

fn surge() -> Command {
    Command::cargo_bin("surge").expect("binary builds")
}

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    surge()
        .args(["run", scenario, "--quiet", "--seed", "5", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn run_writes_png_and_svg_plots_at_the_requested_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run(
        "tests/fixtures/valid-small.toml",
        &out,
        &["--runs", "12", "--width", "900", "--height", "640"],
    );
    for name in ["adoption", "rate", "regions"] {
        let png = image::open(out.join(format!("{name}.png"))).expect("PNG decodes");
        assert_eq!((png.width(), png.height()), (900, 640), "{name}.png size");
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.contains("width=\"900\"") && svg.contains("height=\"640\""),
            "{name}.svg size"
        );
        assert!(svg.contains("valid-small"), "{name}.svg has no title");
        assert!(svg.contains("telegram"), "{name}.svg does not name the app");
    }
    let adoption = std::fs::read_to_string(out.join("adoption.svg")).unwrap();
    for words in [
        "New accounts (registrations)",
        "Dormant accounts back in use (reactivations)",
        "outage (",
    ] {
        assert!(adoption.contains(words), "adoption.svg lacks {words:?}");
    }
    let regions = std::fs::read_to_string(out.join("regions.svg")).unwrap();
    assert!(regions.contains("europe") && regions.contains("asia"));
}

#[test]
fn plot_redraws_from_saved_results_without_rerunning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run("tests/fixtures/valid-small.toml", &out, &["--runs", "8"]);
    let before = std::fs::read(out.join("timeseries.csv")).unwrap();
    std::fs::remove_file(out.join("rate.png")).unwrap();
    surge()
        .arg("plot")
        .arg(&out)
        .args(["--width", "1200", "--height", "700"])
        .assert()
        .success();
    let png = image::open(out.join("rate.png")).expect("rate.png redrawn");
    assert_eq!((png.width(), png.height()), (1200, 700));
    assert_eq!(
        std::fs::read(out.join("timeseries.csv")).unwrap(),
        before,
        "plot must not re-run"
    );
}

#[test]
fn plot_of_a_folder_without_results_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    surge()
        .arg("plot")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("summary.json"))
        .stderr(predicates::str::contains(
            "is this a `surge run` output folder?",
        ));
}

#[test]
fn compare_pairs_common_random_numbers_and_draws_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out) = (
        dir.path().join("6h"),
        dir.path().join("24h"),
        dir.path().join("cmp"),
    );
    run(
        "scenarios/facebook-2021-10-04.toml",
        &a,
        &["--runs", "200", "--spaghetti", "0"],
    );
    run(
        "scenarios/facebook-2021-10-04-24h.toml",
        &b,
        &["--runs", "200", "--spaghetti", "0"],
    );
    let printed = surge()
        .arg("compare")
        .args([&a, &b])
        .args(["--app", "telegram", "--out"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed = String::from_utf8_lossy(&printed);
    assert!(
        printed.contains("paired (common random numbers)"),
        "{printed}"
    );
    let svg = std::fs::read_to_string(out.join("compare.svg")).unwrap();
    assert!(svg.contains("facebook-2021-10-04-24h") && svg.contains("telegram arrivals"));
    image::open(out.join("compare.png")).expect("compare.png decodes");
    let mut reader = csv::Reader::from_path(out.join("compare.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if &row[col("figure")] != "telegram.arrivals_24h" || &row[col("interval")] == "reference" {
            continue;
        }
        let width = |lo: &str, hi: &str| {
            row[col(hi)].parse::<f64>().unwrap() - row[col(lo)].parse::<f64>().unwrap()
        };
        let paired = width("diff_p05", "diff_p95");
        let unpaired = width("unpaired_p05", "unpaired_p95");
        assert!(
            paired < unpaired,
            "paired {paired} should be narrower than unpaired {unpaired}"
        );
        checked += 1;
    }
    assert_eq!(checked, 1);
}

#[test]
fn compare_with_different_seeds_says_unpaired() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("cmp"),
    );
    run("tests/fixtures/valid-small.toml", &a, &["--runs", "10"]);
    surge()
        .args([
            "run",
            "tests/fixtures/valid-small.toml",
            "--quiet",
            "--seed",
            "6",
            "--runs",
            "10",
            "--out",
        ])
        .arg(&b)
        .assert()
        .success();
    surge()
        .arg("compare")
        .args([&a, &b])
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("unpaired"));
}

/// Issue 10: the rate plot draws the regional limits that saturate and names them, and the wait
/// panel names the region whose queue waited longest.
#[test]
fn rate_plot_names_saturated_regions_and_the_worst_wait() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(
        "scenarios/facebook-2021-10-04.toml",
        &out,
        &["--runs", "20", "--fixed-parameters"],
    );
    let svg = std::fs::read_to_string(out.join("rate.svg")).unwrap();
    assert!(
        svg.contains("latin_america limit 35/s, reached"),
        "no saturated limit named"
    );
    assert!(
        svg.contains("longest: telegram in"),
        "the worst region is not named"
    );
}

/// Issue 10: adoption.png spent 85% of its width on flat stretches (a 40 h lead, the hours
/// after the counts settle); its time axis now covers where the counts move. A trust shock's
/// legend has no outage entry.
#[test]
fn adoption_plot_shows_where_the_counts_move() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(
        "scenarios/facebook-2021-10-04.toml",
        &out,
        &["--runs", "20", "--fixed-parameters"],
    );
    let svg = std::fs::read_to_string(out.join("adoption.svg")).unwrap();
    assert!(svg.contains("+0 h"), "the event's start is on the axis");
    assert!(
        !svg.contains("-40 h") && !svg.contains("-20 h"),
        "the flat lead is drawn"
    );
    assert!(!svg.contains("+60 h"), "the flat tail is drawn");
}

/// Issue 10: regions.png's footer mentioned bands the chart does not have.
#[test]
fn regions_plot_does_not_mention_bands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run("tests/fixtures/valid-small.toml", &out, &["--runs", "3"]);
    let svg = std::fs::read_to_string(out.join("regions.svg")).unwrap();
    assert!(!svg.contains("Bands"), "regions.svg speaks of bands");
    assert!(svg.contains("median arrivals per region"));
}
