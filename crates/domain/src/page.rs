//! Pagination requests and pages.

/// A 1-based page of `size` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub size: i64,
}

impl PageRequest {
    /// Clamps `page` to ≥ 1 and `size` to `min..=max` (`default` when absent).
    pub fn clamped(page: Option<i64>, size: Option<i64>, default: i64, min: i64, max: i64) -> Self {
        Self { page: page.unwrap_or(1).max(1), size: size.unwrap_or(default).clamp(min, max) }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.size)
    }

    /// Number of pages needed for `total` rows.
    pub fn total_pages(&self, total: i64) -> i64 {
        if total <= 0 {
            0
        } else {
            (total + self.size - 1) / self.size
        }
    }
}

/// Rows of one page and the total across all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_counts() {
        let p = PageRequest::clamped(Some(0), Some(1000), 20, 10, 100);
        assert_eq!(p, PageRequest { page: 1, size: 100 });
        assert_eq!(PageRequest { page: 3, size: 20 }.offset(), 40);
        assert_eq!(PageRequest { page: 1, size: 20 }.total_pages(41), 3);
        assert_eq!(PageRequest { page: 1, size: 20 }.total_pages(0), 0);
    }
}
