//! Statements run through each connection's statement cache: after its first use on a
//! connection, a statement costs one round trip (bind and execute), not two.

use crate::backend;
use deadpool_postgres::GenericClient;
use fluxo_store::StoreResult;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub async fn query(c: &impl GenericClient, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
    let statement = c.prepare_cached(sql).await.map_err(backend)?;
    c.query(&statement, params).await.map_err(backend)
}

pub async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> StoreResult<Option<Row>> {
    let statement = c.prepare_cached(sql).await.map_err(backend)?;
    c.query_opt(&statement, params).await.map_err(backend)
}

pub async fn execute(c: &impl GenericClient, sql: &str, params: Params<'_>) -> StoreResult<u64> {
    let statement = c.prepare_cached(sql).await.map_err(backend)?;
    c.execute(&statement, params).await.map_err(backend)
}
