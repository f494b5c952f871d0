//! A small client for the fake over real HTTP, shared by the test files.
#![allow(dead_code)] // each test file uses a different part

use fake_notion::FakeNotion;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const TOKEN: &str = "test-token";

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub version: &'static str,
    pub token: String,
}

/// A response: status, headers and JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn retry_after(&self) -> Option<u64> {
        self.headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap().parse().unwrap())
    }
}

impl Client {
    pub async fn start(fake: &FakeNotion) -> Self {
        Client {
            base: fake.start().await,
            http: reqwest::Client::new(),
            version: "2026-03-11",
            token: TOKEN.to_string(),
        }
    }

    /// The same server, as another connection (token) or speaking another version.
    pub fn as_token(&self, token: &str) -> Self {
        Client {
            token: token.to_string(),
            ..self.clone()
        }
    }

    pub fn on_version(&self, version: &'static str) -> Self {
        Client {
            version,
            ..self.clone()
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("Notion-Version", self.version)
    }

    pub async fn answer(&self, rb: reqwest::RequestBuilder) -> Answer {
        let resp = rb.send().await.expect("response");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.json().await.expect("json body");
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> (u16, Value) {
        let a = self.answer(rb).await;
        (a.status, a.body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.request(reqwest::Method::POST, path).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.request(reqwest::Method::PATCH, path).json(&body))
            .await
    }
}

pub fn title(text: &str) -> Value {
    json!({"Name": {"title": [{"text": {"content": text}}]}})
}

/// The ids of a list's results, in order.
pub fn result_ids(list: &Value) -> Vec<String> {
    list["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

/// The property names of a page object, in order.
pub fn property_names(page: &Value) -> Vec<String> {
    page["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}
