//! The areas of the web app that ship as separate bundles, each behind its own HTML page: the
//! server sends an area's page for its paths and the SPA leaves links into another area to the
//! browser. One table, so the two never disagree.

/// A part of the web app built as its own bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Home, create, gallery and the policy pages.
    Main,
    /// The profile and the sign-in, registration and password-reset pages.
    Account,
    /// The admin console.
    Console,
}

/// URL path prefixes of the areas other than [`Area::Main`].
const PREFIXES: [(&str, Area); 3] = [("/console", Area::Console), ("/profile", Area::Account), ("/auth", Area::Account)];

impl Area {
    /// The area serving `path`: a prefix of [`PREFIXES`] itself or a path below it (a query or
    /// fragment is ignored), [`Area::Main`] otherwise.
    pub fn of(path: &str) -> Self {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        PREFIXES
            .iter()
            .find(|(prefix, _)| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
            .map_or(Area::Main, |&(_, area)| area)
    }

    /// The built HTML page of the area's bundle.
    pub fn page(self) -> &'static str {
        match self {
            Area::Main => "index.html",
            Area::Account => "account.html",
            Area::Console => "console.html",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Area;

    #[test]
    fn paths_map_to_their_area() {
        for (path, area) in [
            ("/console", Area::Console),
            ("/console/dashboard", Area::Console),
            ("/profile", Area::Account),
            ("/profile?tab=credits", Area::Account),
            ("/auth/login?redirect=%2Fcreate", Area::Account),
            ("/", Area::Main),
            ("/create?type=text-to-image", Area::Main),
            ("/consoles", Area::Main),
            ("/profiles", Area::Main),
            ("/author", Area::Main),
            ("/gallery/console", Area::Main),
        ] {
            assert_eq!(Area::of(path), area, "{path}");
        }
    }
}
