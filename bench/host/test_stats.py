# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the benchmark's statistics and log parsing: python3 -m unittest discover -s bench/host"""

import unittest

import modes
import parse
import stats


class Stats(unittest.TestCase):
    def test_median_and_quantiles(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 2, 3]), 2.5)
        self.assertEqual(stats.quantile(list(range(101)), 0.9), 90)
        self.assertEqual(stats.quantile([5], 0.99), 5)

    def test_coverage_is_binomial(self):
        # n = 10: [x(2), x(9)] holds the median with 1 - 2 * (1 + 10) / 1024.
        self.assertAlmostEqual(stats.coverage(10, 2), 1 - 22 / 1024)
        self.assertAlmostEqual(stats.coverage(10, 1), 1 - 2 / 1024)

    def test_median_ci_picks_the_narrowest_interval_that_covers(self):
        xs = list(range(1, 11))
        low, high, cover = stats.median_ci(xs)
        self.assertEqual((low, high), (2, 9))
        self.assertGreaterEqual(cover, 0.95)
        # Twenty samples: x(6) and x(15).
        low, high, _ = stats.median_ci(list(range(1, 21)))
        self.assertEqual((low, high), (6, 15))

    def test_median_ci_of_few_samples_is_the_range(self):
        low, high, cover = stats.median_ci([3, 1, 2])
        self.assertEqual((low, high), (1, 3))
        self.assertLess(cover, 0.95)


class Parse(unittest.TestCase):
    LOG = "\r\n".join(
        [
            "noise",
            "KB boot 6.12.117 2",
            "KB begin 0",
            "KB lsmod 0 bench_c 16384",
            "KB switches 0 0 0",
            "KB log 0 [   10.000001] bench_c: run scenario=0 variant=0 placement=0",
            "KB log 0 [   10.500000] bench_c: pingpong ns=1000000 rounds=200 batch=100",
            "KB log 0 [   10.500000] bench_c: samples 400000 600000",
            "KB log 0 [   10.500001] bench_c: cpus 0x2 0x2",
            "KB log 0 [   10.500002] bench_c: done 0",
            "KB end 0",
            "KB begin 1",
            "KB lsmod 1 bench_rust 20480",
            "KB switches 1 4 108",
            "KB log 1 [   11.000000] bench_rust: exclusive ns=50000 events=10 waiters=4",
            "KB log 1 [   11.000001] bench_rust: done 0",
            "KB end 1",
            "KB begin 2",
            "KB lsmod 2 floor_c 12288",
            "KB rmmod 2 0 2500000",
            "KB log 2 [   12.000000] floor_c: Inside kthread exit function",
            "KB log 2 [   12.001500] floor_c: destroyed threads and completed tasks",
            "KB end 2",
        ]
    )

    def test_boot_and_steps(self):
        boot = parse.parse(self.LOG)
        self.assertEqual((boot.release, boot.cpus), ("6.12.117", 2))
        self.assertEqual(sorted(boot.steps), [0, 1, 2])

    def test_pingpong(self):
        boot = parse.parse(self.LOG)
        spec = {"module": "bench_c", "scenario": "pingpong"}
        result = parse.cell_result(boot.steps[0], spec)
        self.assertEqual(result["ns_per_round_trip"], 4200)
        self.assertEqual(result["ns_per_round_trip_median"], 5000)
        self.assertEqual(result["ns_per_round_trip_mean"], 5000)
        self.assertEqual(result["cpus"], [2, 2])
        self.assertEqual(result["lsmod"], 16384)

    def test_exclusive_counts_wakeups_after_the_first_sleeps(self):
        boot = parse.parse(self.LOG)
        spec = {"module": "bench_rust", "scenario": "exclusive", "waiters": 4, "rounds": 8, "warmup": 2}
        result = parse.cell_result(boot.steps[1], spec)
        self.assertEqual(result["ns_per_event"], 5000)
        self.assertEqual(result["woken_per_event"], (108 - 8) / 10)

    def test_unload(self):
        boot = parse.parse(self.LOG)
        result = parse.unload_result(boot.steps[2], {"module": "floor_c"})
        self.assertAlmostEqual(result["exit_ms"], 1.5)
        self.assertEqual(result["rmmod_ms"], 2.5)

    def test_missing_step_is_an_error(self):
        self.assertIn("error", parse.cell_result(None, {}))


class Modes(unittest.TestCase):
    def test_neighbours_within_the_gap_share_a_mode(self):
        self.assertEqual(modes.modes([6031, 4127, 6181, 4132], 0.05), [[4127, 4132], [6031, 6181]])
        self.assertEqual(modes.modes([4034, 4436], 0.05), [[4034], [4436]])

    def test_ratio_only_within_a_mode_both_reached(self):
        # Rust runs 4142 and 6194 twice; C 4127 and 6181: each mode compares its own.
        out = modes.within_modes([4142, 6194, 6194], [4127, 6181], 0.05)
        self.assertEqual([(n_r, n_c) for _, n_r, n_c, _ in out], [(1, 1), (2, 1)])
        self.assertAlmostEqual(out[0][3], 4142 / 4127)
        self.assertAlmostEqual(out[1][3], 6194 / 6181)
        self.assertIsNone(modes.within_modes([4000], [6000], 0.05)[0][3])

    def test_fewest_compares_the_cheapest_runs(self):
        self.assertAlmostEqual(modes.fewest([3656, 4708, 5067], [3642, 4163, 5052]), 3656 / 3642)
        self.assertIsNone(modes.fewest([], [1]))


if __name__ == "__main__":
    unittest.main()
