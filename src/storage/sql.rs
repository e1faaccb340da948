//! One way for the storage code to talk to either database: a statement, its arguments
//! and a row reader, the same for the embedded SQLite file and a PostgreSQL server.
//!
//! The storage functions are written once, in the SQL both databases accept (`?N`
//! placeholders, `ON CONFLICT … DO NOTHING`, `CASE` instead of two-argument `min`, a
//! `rowid` column that PostgreSQL's schema declares as an identity column). Where the
//! dialects really differ, a function asks [`Sql::dialect`]. Values cross as [`Value`]:
//! integers, reals, text, bytes and NULL, which is all the schema uses; each backend
//! converts them to and from its own types here and nowhere else.

use std::cell::RefCell;

use postgres::types::{to_sql_checked, IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{ToSql as LiteToSql, ToSqlOutput, ValueRef};

use super::StorageResult;
use crate::error::StorageError;

/// Which SQL a statement must be written in, for the few places where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection (or the writer's transaction) of either backend. PostgreSQL work always
/// runs inside a transaction that the caller commits when the work succeeded.
pub enum Sql<'c> {
    Lite(&'c rusqlite::Connection),
    Pg(RefCell<super::postgres::PgTransaction<'c>>),
}

/// An argument or a column value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What may be bound to a placeholder.
pub trait Param {
    fn value(&self) -> Value<'_>;
}

/// The arguments of a statement: `args![job_id, url, depth]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::storage::sql::Param] };
    ($($arg:expr),+ $(,)?) => {
        &[$(&$arg as &dyn $crate::storage::sql::Param),+] as &[&dyn $crate::storage::sql::Param]
    };
}
pub use args;

impl<'c> Sql<'c> {
    /// The PostgreSQL transaction back, to commit it.
    pub(crate) fn into_postgres(self) -> Option<postgres::Transaction<'c>> {
        match self {
            Sql::Pg(tx) => Some(tx.into_inner().tx),
            Sql::Lite(_) => None,
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Sql::Lite(_) => Dialect::Sqlite,
            Sql::Pg(_) => Dialect::Postgres,
        }
    }

    /// The statement for this backend, where the two must be spelled differently.
    pub fn pick<'s>(&self, sqlite: &'s str, postgres: &'s str) -> &'s str {
        match self.dialect() {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, args: impl Args) -> StorageResult<usize> {
        let list = args.list();
        let args: &[&dyn Param] = &list;
        match self {
            Sql::Lite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(lite_args(args)))?)
            }
            Sql::Pg(tx) => {
                let held = pg_args(args);
                let mut tx = tx.borrow_mut();
                let statement = tx.statement(sql)?;
                let changed = tx.tx.execute(&statement, &pg_refs(&held))?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs statements without arguments, separated by semicolons.
    pub fn execute_batch(&self, sql: &str) -> StorageResult<()> {
        match self {
            Sql::Lite(conn) => Ok(conn.execute_batch(sql)?),
            Sql::Pg(tx) => Ok(tx.borrow_mut().tx.batch_execute(sql)?),
        }
    }

    /// The first row, read by `read`; [`StorageError::NoRows`] when there is none (see
    /// [`Optional::optional`]).
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: impl Args,
        read: impl FnOnce(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<T> {
        let mut read = Some(read);
        let mut first = None;
        self.for_each(sql, args, |row| {
            if let Some(read) = read.take() {
                first = Some(read(row)?);
            }
            Ok(false)
        })?;
        first.ok_or(StorageError::NoRows)
    }

    /// Every row, each read by `read`, in the statement's order.
    pub fn query_map<T>(
        &self,
        sql: &str,
        args: impl Args,
        mut read: impl FnMut(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, args, |row| {
            out.push(read(row)?);
            Ok(true)
        })?;
        Ok(out)
    }
}

impl<'c> Sql<'c> {
    /// The rows, each handed to `each` as it is read, without collecting them, until
    /// `each` answers `false`.
    pub fn for_each(
        &self,
        sql: &str,
        args: impl Args,
        mut each: impl FnMut(&Row<'_>) -> StorageResult<bool>,
    ) -> StorageResult<()> {
        let list = args.list();
        let args: &[&dyn Param] = &list;
        match self {
            Sql::Lite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(lite_args(args)))?;
                while let Some(row) = rows.next()? {
                    if !each(&Row::Lite(row))? {
                        break;
                    }
                }
                Ok(())
            }
            Sql::Pg(tx) => {
                use postgres::fallible_iterator::FallibleIterator;
                let held = pg_args(args);
                let mut tx = tx.borrow_mut();
                let statement = tx.statement(sql)?;
                let mut rows = tx.tx.query_raw(&statement, pg_refs(&held))?;
                while let Some(row) = rows.next()? {
                    if !each(&Row::Pg(&row))? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// A statement to run several times (rusqlite's shape; SQLite caches it).
    pub fn prepare<'s>(&'s self, sql: &str) -> StorageResult<Statement<'s, 'c>> {
        Ok(Statement {
            sql: self,
            text: sql.to_owned(),
        })
    }

    /// The same as [`Sql::prepare`]: every statement is cached on SQLite.
    pub fn prepare_cached<'s>(&'s self, sql: &str) -> StorageResult<Statement<'s, 'c>> {
        self.prepare(sql)
    }
}

/// A statement's rows as rusqlite's iterator of results (read already: nothing fails).
pub type Rows<T> = std::iter::Map<std::vec::IntoIter<T>, fn(T) -> StorageResult<T>>;

/// A statement bound to its connection, run with different arguments.
pub struct Statement<'s, 'c> {
    sql: &'s Sql<'c>,
    text: String,
}

impl Statement<'_, '_> {
    pub fn execute(&mut self, args: impl Args) -> StorageResult<usize> {
        self.sql.execute(&self.text, args)
    }

    /// The rows read by `read`, as rusqlite's iterator of results.
    pub fn query_map<T>(
        &mut self,
        args: impl Args,
        read: impl FnMut(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<Rows<T>> {
        let rows = self.sql.query_map(&self.text, args, read)?;
        Ok(rows.into_iter().map(Ok))
    }

    pub fn query_row<T>(
        &mut self,
        args: impl Args,
        read: impl FnOnce(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<T> {
        self.sql.query_row(&self.text, args, read)
    }
}

/// A statement's arguments: `args![a, b]`, `[a]` or `[]`.
pub trait Args {
    fn list(&self) -> Vec<&dyn Param>;
}

impl Args for &[&dyn Param] {
    fn list(&self) -> Vec<&dyn Param> {
        self.to_vec()
    }
}

impl Args for [&dyn Param; 0] {
    fn list(&self) -> Vec<&dyn Param> {
        Vec::new()
    }
}

macro_rules! array_args {
    ($($n:literal),*) => {$(
        impl<T: Param> Args for [T; $n] {
            fn list(&self) -> Vec<&dyn Param> {
                self.iter().map(|arg| arg as &dyn Param).collect()
            }
        }
    )*};
}
array_args!(1, 2, 3, 4);

/// `query_row`'s "no row" as `None`.
pub trait Optional<T> {
    fn optional(self) -> StorageResult<Option<T>>;
}

impl<T> Optional<T> for StorageResult<T> {
    fn optional(self) -> StorageResult<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(StorageError::NoRows) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// One row of a result.
pub enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

/// A column position (rusqlite's spelling `row.get::<_, T>(0)` keeps working).
pub trait ColumnIndex: Copy {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row<'_> {
    pub fn get<I: ColumnIndex, T: FromValue>(&self, index: I) -> StorageResult<T> {
        let index = index.index();
        let value = self.value(index)?;
        T::from_value(value).map_err(|why| StorageError::Corrupt(format!("column {index}: {why}")))
    }

    /// A bytes column, borrowed (a spooled upload's parts are read this way).
    pub fn bytes(&self, index: usize) -> StorageResult<&[u8]> {
        match self.value(index)? {
            Value::Blob(bytes) => Ok(bytes),
            other => Err(StorageError::Corrupt(format!(
                "column {index}: expected bytes, found {other:?}"
            ))),
        }
    }

    fn value(&self, index: usize) -> StorageResult<Value<'_>> {
        match self {
            Row::Lite(row) => Ok(match row.get_ref(index)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(x) => Value::Real(x),
                ValueRef::Text(bytes) => {
                    Value::Text(std::str::from_utf8(bytes).map_err(|_| {
                        StorageError::Corrupt(format!("column {index} is not UTF-8"))
                    })?)
                }
                ValueRef::Blob(bytes) => Value::Blob(bytes),
            }),
            Row::Pg(row) => pg_value(row, index),
        }
    }
}

fn pg_value<'r>(row: &'r postgres::Row, index: usize) -> StorageResult<Value<'r>> {
    let ty = row
        .columns()
        .get(index)
        .ok_or_else(|| StorageError::Corrupt(format!("no column {index}")))?
        .type_()
        .clone();
    let value = if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(index)?.map(Value::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(index)?
            .map(|n| Value::Int(n.into()))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(index)?
            .map(|n| Value::Int(n.into()))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(index)?
            .map(|b| Value::Int(b.into()))
    } else if ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(index)?.map(Value::Real)
    } else if ty == Type::FLOAT4 {
        row.try_get::<_, Option<f32>>(index)?
            .map(|x| Value::Real(x.into()))
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<&[u8]>>(index)?.map(Value::Blob)
    } else {
        row.try_get::<_, Option<&str>>(index)?.map(Value::Text)
    };
    Ok(value.unwrap_or(Value::Null))
}

/// A Rust type read from a column, with the conversions rusqlite made.
pub trait FromValue: Sized {
    fn from_value(value: Value<'_>) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        match value {
            Value::Int(n) => Ok(n),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

macro_rules! integer_from_value {
    ($($ty:ty),*) => {$(
        impl FromValue for $ty {
            fn from_value(value: Value<'_>) -> Result<Self, String> {
                let n = i64::from_value(value)?;
                <$ty>::try_from(n).map_err(|_| format!("{n} is out of range"))
            }
        }
    )*};
}
integer_from_value!(i32, u32, u64, usize, u16, u8);

impl FromValue for bool {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        Ok(i64::from_value(value)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        match value {
            Value::Real(x) => Ok(x),
            Value::Int(n) => Ok(n as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        match value {
            Value::Text(text) => Ok(text.to_owned()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        match value {
            Value::Blob(bytes) => Ok(bytes.to_vec()),
            Value::Text(text) => Ok(text.as_bytes().to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value<'_>) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl Param for i64 {
    fn value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}

macro_rules! integer_param {
    ($($ty:ty),*) => {$(
        impl Param for $ty {
            fn value(&self) -> Value<'_> {
                // Every stored count and size fits; the cast only saturates nonsense.
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_param!(i32, u32, u64, usize, u16, u8);

impl Param for bool {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        match self {
            Some(inner) => inner.value(),
            None => Value::Null,
        }
    }
}

/// An argument as rusqlite binds it, borrowed.
struct LiteArg<'a>(Value<'a>);

impl LiteToSql for LiteArg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(n),
            Value::Real(x) => ValueRef::Real(x),
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
            Value::Blob(bytes) => ValueRef::Blob(bytes),
        }))
    }
}

fn lite_args<'a>(args: &'a [&'a dyn Param]) -> impl Iterator<Item = LiteArg<'a>> {
    args.iter().map(|arg| LiteArg(arg.value()))
}

/// An argument as PostgreSQL receives it: encoded as whatever type the server inferred
/// for its placeholder, so that one integer binds to a BIGINT, INTEGER or TEXT context.
#[derive(Debug)]
struct PgArg<'a>(Value<'a>);

impl PgToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => {
                if *ty == Type::INT8 {
                    PgToSql::to_sql(&n, ty, out)
                } else if *ty == Type::INT4 {
                    PgToSql::to_sql(&i32::try_from(n)?, ty, out)
                } else if *ty == Type::INT2 {
                    PgToSql::to_sql(&i16::try_from(n)?, ty, out)
                } else if *ty == Type::BOOL {
                    PgToSql::to_sql(&(n != 0), ty, out)
                } else if *ty == Type::FLOAT8 {
                    PgToSql::to_sql(&(n as f64), ty, out)
                } else {
                    PgToSql::to_sql(&n.to_string().as_str(), ty, out)
                }
            }
            Value::Real(x) => {
                if *ty == Type::FLOAT4 {
                    PgToSql::to_sql(&(x as f32), ty, out)
                } else if *ty == Type::FLOAT8 {
                    PgToSql::to_sql(&x, ty, out)
                } else {
                    PgToSql::to_sql(&x.to_string().as_str(), ty, out)
                }
            }
            // PostgreSQL text cannot hold NUL; a page with one keeps the rest of its text.
            Value::Text(text) if text.contains('\0') => {
                PgToSql::to_sql(&text.replace('\0', "\u{FFFD}").as_str(), ty, out)
            }
            Value::Text(text) => PgToSql::to_sql(&text, ty, out),
            Value::Blob(bytes) => PgToSql::to_sql(&bytes, ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn pg_args<'a>(args: &'a [&'a dyn Param]) -> Vec<PgArg<'a>> {
    args.iter().map(|arg| PgArg(arg.value())).collect()
}

fn pg_refs<'a>(held: &'a [PgArg<'a>]) -> Vec<&'a (dyn PgToSql + Sync)> {
    held.iter()
        .map(|arg| arg as &(dyn PgToSql + Sync))
        .collect()
}

/// The statement with SQLite's `?N` (and bare `?`) placeholders spelled `$N`, outside
/// quoted strings and identifiers.
pub(crate) fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut next_bare = 1;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                out.push('$');
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str(&next_bare.to_string());
                    next_bare += 1;
                } else {
                    out.push_str(&digits);
                }
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollar_numbers_outside_quotes() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d IN (?2, ?10)"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d IN ($2, $10)"
        );
        assert_eq!(pg_sql("VALUES (?, ?)"), "VALUES ($1, $2)");
        assert_eq!(pg_sql(r#"SELECT "a?" FROM t"#), r#"SELECT "a?" FROM t"#);
    }

    #[test]
    fn sqlite_rows_read_back_what_was_bound() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory db");
        let sql = Sql::Lite(&conn);
        sql.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d REAL)")
            .expect("table");
        let blob = vec![0u8, 1, 2];
        let none: Option<&str> = None;
        sql.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            args![42u32, "x", blob, 0.5],
        )
        .expect("insert");
        sql.execute("INSERT INTO t (b) VALUES (?1)", args![none])
            .expect("insert null");
        let rows = sql
            .query_map("SELECT a, b, c, d FROM t ORDER BY rowid", args![], |row| {
                Ok((
                    row.get::<_, Option<u32>>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<Vec<u8>>>(2)?,
                    row.get::<_, Option<f64>>(3)?,
                ))
            })
            .expect("rows");
        assert_eq!(
            rows,
            vec![
                (Some(42), Some("x".into()), Some(vec![0, 1, 2]), Some(0.5)),
                (None, None, None, None)
            ]
        );
        let missing = sql
            .query_row("SELECT a FROM t WHERE a = 7", args![], |row| {
                row.get::<_, i64>(0)
            })
            .optional()
            .expect("query");
        assert_eq!(missing, None);
        let negative = sql.query_row("SELECT -1", args![], |row| row.get::<_, u32>(0));
        assert!(matches!(negative, Err(StorageError::Corrupt(_))));
    }
}
