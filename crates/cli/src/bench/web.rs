//! `web`: how long the front door takes to render its pages on a project of thousands of
//! documents, beside the API call each table page is built from (the reference: what the page
//! adds on top of its data).
//!
//! A real `serve` on a fresh data directory; the documents are written straight into its
//! embedded PostgreSQL (uploading and analysing thousands of files would measure the pipeline
//! instead), with analyses spread over types, risk levels and parties so that filters and
//! sorts have work to do. Requests go through the front door as a signed-in browser's would.

use std::time::{Duration, Instant};

use anyhow::Context;
use lucidity_common::Config;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderName};
use serde::Serialize;

use super::Args;
use super::client::Client;
use super::report::Table;
use super::server::Server;
use crate::database;

/// Requests timed per page after the warm-up ones; the median and the 95th percentile count.
const TIMED_REQUESTS: usize = 30;
const WARM_UP_REQUESTS: usize = 3;

#[derive(Debug, Serialize)]
pub struct Figures {
    pub documents: u32,
    pub pages: Vec<Timed>,
}

#[derive(Debug, Serialize)]
pub struct Timed {
    pub page: &'static str,
    pub path: String,
    pub median_ms: f64,
    pub p95_ms: f64,
    /// The API call the page's table comes from, timed in the same run.
    pub api_median_ms: Option<f64>,
}

pub async fn measure(args: &Args) -> anyhow::Result<Figures> {
    let server = Server::start(100).await?;
    let client = Client::sign_in(&server.web_url).await?;
    let project = client.first_project().await?;
    seed(&server, &project, args.web_documents).await?;

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = format!("cl_access={}", client.token());
    let api = format!("/api/v1/projects/{project}/documents");
    let pages = [
        ("dashboard", "/app".to_owned(), None),
        (
            "project, first page",
            format!("/projects/{project}"),
            Some(api.clone()),
        ),
        (
            "project, sorted by risk, page 40",
            format!("/projects/{project}?sort=risk&order=desc&page=40"),
            Some(format!("{api}?sort=risk&order=desc&page=40")),
        ),
        (
            "project, filtered by party and type",
            format!("/projects/{project}?party=northwind&doc_type=nda"),
            Some(format!("{api}?party=northwind&doc_type=nda")),
        ),
        ("projects", "/projects".to_owned(), None),
    ];

    let mut timed = Vec::new();
    for (page, path, api_path) in pages {
        let url = format!("{}{path}", server.web_url);
        let samples = time_requests(&http, &url, (COOKIE, &cookie), Some("text/html")).await?;
        let api_median_ms = match api_path {
            Some(api_path) => {
                let url = format!("{}{api_path}", server.web_url);
                let bearer = format!("Bearer {}", client.token());
                let samples = time_requests(&http, &url, (AUTHORIZATION, &bearer), None).await?;
                Some(median(&samples))
            }
            None => None,
        };
        timed.push(Timed {
            page,
            path: path.replace(&project, "{id}"),
            median_ms: median(&samples),
            p95_ms: percentile(&samples, 0.95),
            api_median_ms,
        });
    }
    server.stop().await?;
    Ok(Figures {
        documents: args.web_documents,
        pages: timed,
    })
}

/// Writes `count` analysed documents into `project`, in one statement per table.
async fn seed(server: &Server, project: &str, count: u32) -> anyhow::Result<()> {
    let mut vars = vec![("LUCIDITY_DATA_DIR".to_owned(), server.data_dir())];
    for name in ["LUCIDITY_POSTGRES_BIN", "LUCIDITY_POSTGRES_OS_USER"] {
        if let Ok(value) = std::env::var(name) {
            vars.push((name.to_owned(), value));
        }
    }
    let config = Config::from_vars(vars).context("the benchmark's configuration")?;
    let database = database::external_or_embedded(&config).await?;
    let project: uuid::Uuid = project.parse().context("the project id")?;

    let seeded = async {
        sqlx::query(SEED_DOCUMENTS)
            .bind(project)
            .bind(i32::try_from(count)?)
            .execute(&database.pool)
            .await
            .context("cannot seed the documents")?;
        sqlx::query(SEED_ANALYSES)
            .bind(project)
            .execute(&database.pool)
            .await
            .context("cannot seed the analyses")?;
        anyhow::Ok(())
    }
    .await;
    database.close().await?;
    seeded
}

/// Finished documents only, so the worker leaves them alone; one in fifty failed.
const SEED_DOCUMENTS: &str = "
    INSERT INTO documents (id, project_id, filename, file_kind, content_type, size_bytes,
                           sha256, storage_key, status, error_message, run_after, page_count,
                           created_at, updated_at, completed_at)
    SELECT gen_random_uuid(), $1, format('Agreement %s.pdf', lpad(n::text, 5, '0')), 'pdf',
           'application/pdf', 20000 + n, decode(md5(n::text) || md5('x' || n), 'hex'),
           format('bench/%s', n), CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'complete' END,
           CASE WHEN n % 50 = 0 THEN 'The file could not be read.' END, NULL, 1 + n % 40,
           now() - make_interval(mins => n), now() - make_interval(mins => n),
           now() - make_interval(mins => n)
    FROM generate_series(1, $2) AS n";

const SEED_ANALYSES: &str = "
    INSERT INTO document_analyses (document_id, generation, doc_type, confidence, is_contract,
                                   title, classification, extraction, risk_score, risk_level,
                                   risk_summary, provenance)
    SELECT d.id, 1, (ARRAY['nda', 'master_services', 'statement_of_work', 'lease',
                                           'software_license'])[1 + r.n % 5], 0.9, true,
           d.filename, '{}'::jsonb,
           jsonb_build_object('parties', jsonb_build_array(
               jsonb_build_object('name', (ARRAY['Northwind Traders', 'Contoso Ltd',
                   'Fabrikam Inc', 'Tailspin Toys'])[1 + r.n % 4]),
               jsonb_build_object('name', format('Client %s LLC', r.n % 300)))),
           (r.n * 37) % 100,
           CASE WHEN (r.n * 37) % 100 >= 70 THEN 'high'
                WHEN (r.n * 37) % 100 >= 40 THEN 'medium' ELSE 'low' END,
           'Seeded for the benchmark.', '{}'::jsonb
    FROM documents d
    JOIN LATERAL (SELECT ('x' || substr(md5(d.id::text), 1, 5))::bit(20)::int AS n) r ON true
    WHERE d.project_id = $1 AND d.status = 'complete'";

/// Times `TIMED_REQUESTS` GETs of `url` with `header` after the warm-up ones; each must
/// succeed, and with a content type starting with `expected` when one is given.
async fn time_requests(
    http: &reqwest::Client,
    url: &str,
    header: (HeaderName, &str),
    expected: Option<&str>,
) -> anyhow::Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(TIMED_REQUESTS);
    for round in 0..WARM_UP_REQUESTS + TIMED_REQUESTS {
        let started = Instant::now();
        let response = http
            .get(url)
            .header(header.0.clone(), header.1)
            .send()
            .await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        response.bytes().await?;
        let elapsed = started.elapsed();
        let typed = expected.is_none_or(|expected| content_type.starts_with(expected));
        anyhow::ensure!(
            status.is_success() && typed,
            "{url} answered {status} ({content_type})"
        );
        if round >= WARM_UP_REQUESTS {
            samples.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    Ok(samples)
}

fn median(samples: &[f64]) -> f64 {
    percentile(samples, 0.5)
}

fn percentile(samples: &[f64], fraction: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or(0.0)
}

impl Figures {
    pub fn print(&self) {
        println!(
            "## Web pages on a project of {} documents (through the front door)\n",
            self.documents
        );
        let mut table = Table::new(&["page", "median ms", "p95 ms", "its API call, median ms"]);
        for timed in &self.pages {
            table.row(vec![
                format!("{} `{}`", timed.page, timed.path),
                format!("{:.1}", timed.median_ms),
                format!("{:.1}", timed.p95_ms),
                timed
                    .api_median_ms
                    .map_or("-".to_owned(), |ms| format!("{ms:.1}")),
            ]);
        }
        table.print();
    }
}
