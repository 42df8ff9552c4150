//! The site's logo and favicon: checked by their bytes, stored under a content-hashed key, and
//! the site configuration pointed at them.
use bytes::Bytes;
use miaojing_api_types::site::{SiteConfig, SiteConfigUpdate};
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::User;
use miaojing_domain::{Error, ErrorCode, Result};
use miaojing_storage::keys::public_url;
use miaojing_storage::upload::{check_site_asset, site_asset_key, SiteAssetKind};

use crate::SiteService;

/// A site asset as stored, with the configuration that now points at it.
#[derive(Debug, Clone)]
pub struct SavedAsset {
    /// Its storage key.
    pub key: String,
    /// Its public URL (what `logoUrl` / `faviconUrl` now hold).
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
    pub site_config: SiteConfig,
}

impl SiteService {
    /// Stores an uploaded logo or favicon for `admin` and points the site configuration at it.
    /// A refused file changes nothing.
    pub async fn save_asset(&self, admin: &User, kind: SiteAssetKind, bytes: Vec<u8>) -> Result<SavedAsset> {
        let checked = check_site_asset(kind, &bytes)?;
        let key = site_asset_key(kind, &bytes, checked);
        let size = bytes.len() as u64;
        self.storage.put(&key, Bytes::from(bytes)).await.map_err(Error::from)?;
        let url = public_url(&key).map_err(|e| Error::validation(ErrorCode::InvalidKey, "文件路径无效").with_detail(e.to_string()))?;
        let update = match kind {
            SiteAssetKind::Logo => SiteConfigUpdate { logo_url: Some(url.clone()), ..Default::default() },
            SiteAssetKind::Favicon => SiteConfigUpdate { favicon_url: Some(url.clone()), ..Default::default() },
        };
        let (site_config, changed) = self.update(update).await?;
        let what = if kind == SiteAssetKind::Logo { "标志" } else { "图标" };
        let entry = LogEntry::new("admin", "info", "site_config_updated", format!("管理员上传站点{what}"))
            .by(admin)
            .meta(serde_json::json!({ "fields": changed, "asset": key }));
        let _ = self.store.insert_log(entry).await;
        Ok(SavedAsset { key, url, size, site_config })
    }
}
