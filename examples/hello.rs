//! The ceiling for status polls: a trivial actix-web JSON handler with the same server
//! defaults as docscrape's API, for `scripts/bench-status.sh` to measure beside it.
//!
//! cargo run --release --example hello -- 127.0.0.1:0

use actix_web::{web, App, HttpResponse, HttpServer};

async fn hello() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "running", "message": "hello" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let server =
        HttpServer::new(|| App::new().route("/hello", web::get().to(hello))).bind(&bind)?;
    for addr in server.addrs() {
        // Scripts read the port from this line, as they do docscrape's.
        println!("hello listening on http://{addr}");
    }
    server.run().await
}
