//! Predictive distributions of counts for forecasts: exact pmfs where the
//! support is short, and an accurate normal approximation where it is not,
//! so that no rate, however large, makes a pmf underflow or an allocation
//! grow with the rate.
//!
//! A distribution is either
//! - **exact**: the pmf on 0, 1, …, computed in log space (ln p(0) = −λ is
//!   finite for any λ; each term follows by ln p(y) = ln p(y − 1) + ln λ −
//!   ln y), truncated where the upper tail falls below 10⁻¹²; or
//! - **approximate**: an atom P0 at 0 and, with probability 1 − P0, a normal
//!   with the conditional mean and variance of the positive part
//!   (continuity-corrected). Used once the support would pass
//!   [`MAX_SUPPORT`] counts; then λ is in the thousands, where the normal
//!   approximation of a Poisson count is accurate to well under one count
//!   in its quantiles.

use statrs::function::erf::erfc;

/// The longest exact pmf (counts 0..MAX_SUPPORT).
pub(crate) const MAX_SUPPORT: usize = 4096;

/// Probabilities below this are cut off the upper tails of exact pmfs.
const TAIL: f64 = 1e-12;

/// A count distribution (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) enum Dist {
    /// pmf on 0..len, and its running sum (the CDF), summed once.
    Exact { pmf: Vec<f64>, cdf: Vec<f64> },
    /// P(0) = `zero`; otherwise normal with `mean` and `var`.
    Approx { zero: f64, mean: f64, var: f64 },
}

/// Mean and variance of a ZIP(λ, ω) count.
fn zip_moments(lambda: f64, omega: f64) -> (f64, f64) {
    let m = (1.0 - omega) * lambda;
    (m, m * (1.0 + omega * lambda))
}

impl Dist {
    /// One ZIP(λ, ω) count (ω = 0: Poisson).
    pub(crate) fn zip(lambda: f64, omega: f64) -> Dist {
        let top = lambda + 12.0 * lambda.sqrt() + 12.0;
        if top > MAX_SUPPORT as f64 {
            return Dist::from_moments(
                omega + (1.0 - omega) * (-lambda).exp(),
                zip_moments(lambda, omega),
            );
        }
        let ln_lambda = lambda.ln();
        let mut pmf = Vec::with_capacity(top as usize + 1);
        let mut ln_p = -lambda;
        let mut cdf = 0.0;
        for y in 0..=top.ceil() as usize {
            if y > 0 {
                ln_p += ln_lambda - (y as f64).ln();
            }
            let p = ln_p.exp();
            pmf.push((1.0 - omega) * p);
            cdf += p;
            if y as f64 > lambda && 1.0 - cdf < TAIL {
                break;
            }
        }
        pmf[0] += omega;
        Dist::exact(pmf)
    }

    /// One negative-binomial count with mean `mean` and dispersion `alpha`
    /// (Var = μ + α·μ²): the pmf by ln p(0) = −r·ln(1 + αμ) and
    /// p(y) = p(y − 1)·(y − 1 + r)/y·q, r = 1/α, q = αμ/(1 + αμ), until the
    /// upper tail is below 10⁻¹²; the approximation if that needs more than
    /// [`MAX_SUPPORT`] counts.
    pub(crate) fn nb(mean: f64, alpha: f64) -> Dist {
        let r = 1.0 / alpha;
        let am = alpha * mean;
        let ln_p0 = -r * am.ln_1p();
        let ln_q = am.ln() - am.ln_1p();
        let moments = (mean, mean + alpha * mean * mean);
        let mut pmf = Vec::new();
        let (mut ln_p, mut cdf) = (ln_p0, 0.0);
        for y in 0..MAX_SUPPORT {
            if y > 0 {
                let y = y as f64;
                ln_p += ((y - 1.0 + r) / y).ln() + ln_q;
            }
            let p = ln_p.exp();
            pmf.push(p);
            cdf += p;
            if y as f64 > mean && 1.0 - cdf < TAIL {
                return Dist::exact(pmf);
            }
        }
        Dist::from_moments(ln_p0.exp(), moments)
    }

    /// The exact distribution with this pmf.
    fn exact(pmf: Vec<f64>) -> Dist {
        let cdf = pmf
            .iter()
            .scan(0.0, |acc, p| {
                *acc += p;
                Some(*acc)
            })
            .collect();
        Dist::Exact { pmf, cdf }
    }

    /// The approximation with atom `zero` at 0 and overall moments
    /// `(mean, var)`: the positive part gets the conditional moments.
    fn from_moments(zero: f64, (mean, var): (f64, f64)) -> Dist {
        let keep = (1.0 - zero).max(1e-300);
        let m = mean / keep;
        let v = ((var + mean * mean) / keep - m * m).max(0.0);
        Dist::Approx {
            zero,
            mean: m,
            var: v,
        }
    }

    /// P(Y = 0).
    fn p0(&self) -> f64 {
        match self {
            Dist::Exact { pmf, .. } => pmf.first().copied().unwrap_or(1.0),
            Dist::Approx { zero, .. } => *zero,
        }
    }

    /// Mean and variance.
    fn moments(&self) -> (f64, f64) {
        match self {
            Dist::Exact { pmf: p, .. } => {
                let m: f64 = p.iter().enumerate().map(|(y, q)| y as f64 * q).sum();
                let v: f64 = p
                    .iter()
                    .enumerate()
                    .map(|(y, q)| (y as f64 - m).powi(2) * q)
                    .sum();
                (m, v)
            }
            Dist::Approx { zero, mean, var } => {
                let keep = 1.0 - zero;
                let m = keep * mean;
                (m, keep * (var + mean * mean) - m * m)
            }
        }
    }

    /// The distribution of the sum of independent counts: exact while every
    /// part is exact and the support stays within [`MAX_SUPPORT`], else the
    /// approximation with the exact atom at 0 and the exact moments.
    pub(crate) fn sum(parts: &[&Dist]) -> Dist {
        let exact: Option<Vec<&Vec<f64>>> = parts
            .iter()
            .map(|d| match d {
                Dist::Exact { pmf, .. } => Some(pmf),
                Dist::Approx { .. } => None,
            })
            .collect();
        if let Some(pmfs) = exact {
            let len: usize = pmfs.iter().map(|p| p.len() - 1).sum::<usize>() + 1;
            if len <= MAX_SUPPORT {
                return Dist::exact(pmfs.iter().fold(vec![1.0], |acc, p| convolve(&acc, p)));
            }
        }
        let zero: f64 = parts.iter().map(|d| d.p0()).product();
        let (mean, var) = parts.iter().fold((0.0, 0.0), |(m, v), d| {
            let (dm, dv) = d.moments();
            (m + dm, v + dv)
        });
        Dist::from_moments(zero, (mean, var))
    }

    /// P(Y ≤ y).
    fn cdf(&self, y: u64) -> f64 {
        match self {
            Dist::Exact { cdf, .. } => cdf[(y as usize).min(cdf.len() - 1)],
            Dist::Approx { zero, mean, var } => {
                let sd = var.sqrt().max(1e-12);
                // Φ((y + 0.5 − mean) / sd), by erfc for accuracy in the tails.
                let z = (y as f64 + 0.5 - mean) / sd;
                zero + (1.0 - zero) * 0.5 * erfc(-z / std::f64::consts::SQRT_2)
            }
        }
    }

    /// A count beyond which the distribution has negligible mass.
    fn upper(&self) -> u64 {
        match self {
            Dist::Exact { pmf, .. } => pmf.len() as u64 - 1,
            Dist::Approx { mean, var, .. } => (mean + 12.0 * var.sqrt() + 12.0).ceil() as u64,
        }
    }
}

fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        if *x == 0.0 {
            continue;
        }
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    // Trim the negligible upper tail.
    while out.len() > 1 && out[out.len() - 1] < TAIL * 1e-3 {
        out.pop();
    }
    out
}

/// The quantile interval `[q(α), q(1 − α)]`, α = (1 − level)/2, of the
/// mixture Σ_k w_k·dists_k: the smallest counts whose mixture CDF reaches
/// α and 1 − α, found by bisection (the CDF is monotone).
pub(crate) fn interval(dists: &[&Dist], weights: &[f64], level: f64) -> (u32, u32) {
    let alpha = (1.0 - level) / 2.0;
    let cdf = |y: u64| -> f64 { dists.iter().zip(weights).map(|(d, w)| w * d.cdf(y)).sum() };
    let top = dists.iter().map(|d| d.upper()).max().unwrap_or(0);
    let quantile = |p: f64| -> u32 {
        let (mut lo, mut hi) = (0u64, top);
        if cdf(0) >= p {
            return 0;
        }
        // cdf(lo) < p ≤ cdf(hi) (or hi = top).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if cdf(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi.min(u32::MAX as u64) as u32
    };
    (quantile(alpha), quantile(1.0 - alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pmf(d: &Dist) -> &Vec<f64> {
        match d {
            Dist::Exact { pmf, .. } => pmf,
            Dist::Approx { .. } => panic!("expected an exact pmf"),
        }
    }

    #[test]
    fn exact_pmfs_sum_to_one_with_the_right_mean_even_past_exp_underflow() {
        for (l, w) in [
            (0.1, 0.0),
            (2.5, 0.3),
            (40.0, 0.1),
            (800.0, 0.0),
            (2000.0, 0.2),
        ] {
            let d = Dist::zip(l, w);
            let p = pmf(&d);
            let total: f64 = p.iter().sum();
            let (mean, var) = d.moments();
            assert!((total - 1.0).abs() < 1e-10, "{l} {w}: {total}");
            assert!(
                (mean - (1.0 - w) * l).abs() < 1e-6 * l.max(1.0),
                "{l} {w}: {mean}"
            );
            let want = (1.0 - w) * l * (1.0 + w * l);
            assert!((var / want - 1.0).abs() < 1e-6, "{l} {w}: {var}");
        }
    }

    #[test]
    fn negative_binomial_pmfs_have_the_nb2_moments() {
        for (m, a) in [
            (0.1, 4.0),
            (0.5, 3.8),
            (2.0, 0.5),
            (30.0, 0.05),
            (1.0, 1e-7),
        ] {
            let d = Dist::nb(m, a);
            let p = pmf(&d);
            let total: f64 = p.iter().sum();
            let (mean, var) = d.moments();
            assert!((total - 1.0).abs() < 1e-10, "{m} {a}: {total}");
            assert!((mean / m - 1.0).abs() < 1e-8, "{m} {a}: {mean}");
            assert!((var / (m + a * m * m) - 1.0).abs() < 1e-6, "{m} {a}: {var}");
        }
        // P(0) = (1 + αμ)^(−1/α); α → 0 is Poisson.
        assert!((pmf(&Dist::nb(0.5, 2.0))[0] - 2f64.powf(-0.5)).abs() < 1e-15);
        assert!((pmf(&Dist::nb(1.0, 1e-9))[3] - (-1f64).exp() / 6.0).abs() < 1e-8);
        // A tail too long for an exact pmf falls back to the moments.
        assert!(matches!(Dist::nb(50.0, 100.0), Dist::Approx { .. }));
    }

    #[test]
    fn large_rates_have_intervals_around_the_mean() {
        // λ = 800: exp(−800) underflows, the interval must still surround 800.
        let d = Dist::zip(800.0, 0.0);
        let (lo, hi) = interval(&[&d], &[1.0], 0.9);
        let half = 1.644_853_6 * 800f64.sqrt();
        assert!((lo as f64 - (800.0 - half)).abs() <= 2.0, "{lo}");
        assert!((hi as f64 - (800.0 + half)).abs() <= 2.0, "{hi}");
        // λ = 1e9: approximate, no allocation in proportion to λ.
        let d = Dist::zip(1e9, 0.0);
        assert!(matches!(d, Dist::Approx { .. }));
        let (lo, hi) = interval(&[&d], &[1.0], 0.9);
        let half = 1.644_853_6 * 1e9f64.sqrt();
        assert!((lo as f64 - (1e9 - half)).abs() <= 2.0, "{lo}");
        assert!((hi as f64 - (1e9 + half)).abs() <= 2.0, "{hi}");
    }

    #[test]
    fn approximation_matches_the_exact_quantiles_near_the_switch() {
        // λ = 3500 is still exact; its approximation gives the same interval
        // to within one count.
        let exact = Dist::zip(3500.0, 0.0);
        let approx = Dist::from_moments(exact.p0(), exact.moments());
        for level in [0.5, 0.8, 0.9, 0.99] {
            let (a, b) = interval(&[&exact], &[1.0], level);
            let (c, d) = interval(&[&approx], &[1.0], level);
            assert!(
                a.abs_diff(c) <= 1 && b.abs_diff(d) <= 1,
                "{level}: {a}-{b} vs {c}-{d}"
            );
        }
    }

    #[test]
    fn sums_of_poissons_are_poisson_exact_and_approximate() {
        let (a, b) = (Dist::zip(1.5, 0.0), Dist::zip(2.0, 0.0));
        let c = Dist::sum(&[&a, &b]);
        let d = Dist::zip(3.5, 0.0);
        for y in 0..20 {
            assert!((pmf(&c)[y] - pmf(&d)[y]).abs() < 1e-12);
        }
        // Thirty years at 500 a year: too long for an exact pmf.
        let year = Dist::zip(500.0, 0.0);
        let parts: Vec<&Dist> = (0..30).map(|_| &year).collect();
        let total = Dist::sum(&parts);
        assert!(matches!(total, Dist::Approx { .. }));
        let (m, v) = total.moments();
        assert!((m / 15000.0 - 1.0).abs() < 1e-9 && (v / 15000.0 - 1.0).abs() < 1e-6);
        let (lo, hi) = interval(&[&total], &[1.0], 0.9);
        assert!(lo < 15000 && hi > 15000 && hi - lo < 500, "{lo}-{hi}");
    }

    #[test]
    fn interval_of_a_point_mass_and_of_a_mixture() {
        let point = Dist::exact(vec![0.0, 0.0, 1.0]);
        assert_eq!(interval(&[&point], &[1.0], 0.9), (2, 2));
        // Half at 0, half at 10: the 5% quantile is 0, the 95% is 10.
        let mut far = vec![0.0; 11];
        far[10] = 1.0;
        let (zero, ten) = (Dist::exact(vec![1.0]), Dist::exact(far));
        assert_eq!(interval(&[&zero, &ten], &[0.5, 0.5], 0.9), (0, 10));
    }
}
