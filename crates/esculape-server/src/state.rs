//! What every handler shares.

use crate::config::ServerConfig;
use esculape_app::App;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<ServerConfig>,
}
