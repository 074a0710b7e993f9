//! The checks a scenario passes before anything is drawn.

use super::curve::Curve;
use super::scenario::{MAX_RATE, Scenario};
use crate::error::{Error, Result};

impl Scenario {
    /// Checks shares, curves, overdispersion, censoring, careers and ages.
    ///
    /// ```
    /// use gbtm::synth::scenario::Scenario;
    /// let mut s = Scenario::builtin("two-groups").unwrap();
    /// assert!(s.validate().is_ok());
    /// s.groups[0].year_frailty_shape = Some(0.0);
    /// assert!(s.validate().unwrap_err().to_string().contains("year frailty shape"));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario`, with the scenario's name
    /// and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::param("scenario", format!("{}: {m}", self.name)));
        if self.ages.0 > self.ages.1 {
            return bad(format!("age window {:?} is empty", self.ages));
        }
        let (lo, hi) = self.ages;
        if lo < crate::data::MIN_AGE || hi > crate::data::MAX_AGE {
            return bad(format!(
                "age window {lo}..{hi} must lie within {}..={}",
                crate::data::MIN_AGE,
                crate::data::MAX_AGE
            ));
        }
        if self.groups.is_empty() {
            return bad("no groups".into());
        }
        // The last age drawn: the window's, or the careers' beyond it.
        let mut last = hi;
        if let Some(c) = &self.careers {
            let start = hi as f64 + 1.0;
            if !(c.mean.is_finite() && c.sd.is_finite() && c.sd > 0.0) {
                return bad("careers need a finite mean and sd > 0".into());
            }
            if !(c.max > start && c.max <= crate::data::MAX_AGE as f64 + 1.0) {
                return bad(format!(
                    "careers: max {} must lie in ({start}, {}]",
                    c.max,
                    crate::data::MAX_AGE + 1
                ));
            }
            last = c.max.ceil() as i64 - 1;
            if let Some(ix) = &c.index_case {
                if !(ix.latest.is_finite() && ix.latest >= 0.0 && ix.earliest > ix.latest) {
                    return bad(format!(
                        "index case: need 0 <= latest < earliest, not latest {} and earliest {}",
                        ix.latest, ix.earliest
                    ));
                }
                // Everyone must be old enough for an index case in the window's ages.
                let youngest = self
                    .groups
                    .iter()
                    .map(|g| g.censoring.as_ref().unwrap_or(&self.censoring))
                    .filter(|c| c.complete_share < 1.0 && c.min < start)
                    .map(|c| c.min)
                    .fold(start, f64::min);
                if youngest - ix.latest <= lo as f64 {
                    return bad(format!(
                        "index case: a person aged {youngest} at the reference date would need one before the youngest age {lo}; raise the censoring min or lower latest"
                    ));
                }
            }
        }
        for g in &self.groups {
            if !(g.share.is_finite() && g.share > 0.0) {
                return bad(format!("group {} has share {}", g.label, g.share));
            }
            if !(0.0..1.0).contains(&g.zero_inflation) {
                return bad(format!(
                    "group {}: zero inflation must be in [0, 1)",
                    g.label
                ));
            }
            for (what, shape) in [
                ("frailty shape", g.frailty_shape),
                ("year frailty shape", g.year_frailty_shape),
            ] {
                if let Some(k) = shape
                    && !(k.is_finite() && k > 0.0)
                {
                    return bad(format!(
                        "group {}: {what} must be positive and finite, not {k}",
                        g.label
                    ));
                }
            }
            match &g.rate {
                Curve::Table(k)
                    if k.is_empty()
                        || k.iter()
                            .any(|&(a, r)| !(a.is_finite() && r.is_finite() && r > 0.0)) =>
                {
                    return bad(format!(
                        "group {}: table needs knots with positive rates",
                        g.label
                    ));
                }
                Curve::Table(k) if k.windows(2).any(|w| w[0].0 >= w[1].0) => {
                    return bad(format!("group {}: table ages must increase", g.label));
                }
                Curve::Polynomial {
                    scale,
                    coefficients,
                    ..
                } if scale.is_nan() || *scale <= 0.0 || coefficients.is_empty() => {
                    return bad(format!(
                        "group {}: polynomial needs a positive scale and coefficients",
                        g.label
                    ));
                }
                _ => {}
            }
            // Rates must be representable at every age drawn.
            if let Some(a) = (lo..=last).find(|&a| {
                let r = g.rate.rate(a as f64);
                !(r.is_finite() && r <= MAX_RATE)
            }) {
                return bad(format!(
                    "group {}: the rate at age {a} is {:e}; rates must be finite and at most {MAX_RATE:e} a year",
                    g.label,
                    g.rate.rate(a as f64)
                ));
            }
            let c = g.censoring.as_ref().unwrap_or(&self.censoring);
            if !(c.mean.is_finite() && c.min.is_finite()) {
                return bad(format!(
                    "group {}: censoring mean and min must be finite",
                    g.label
                ));
            }
            if !(0.0..=1.0).contains(&c.complete_share) || c.sd.is_nan() || c.sd <= 0.0 {
                return bad(format!(
                    "group {}: censoring needs complete_share in [0, 1] and sd > 0",
                    g.label
                ));
            }
        }
        Ok(())
    }
}
