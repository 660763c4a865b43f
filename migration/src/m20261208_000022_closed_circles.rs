//! Closed circles: a circle (and each post in it) may carry a gate,
//! `"<kind>:<key>"`, naming who besides staff sees it — a beta program's
//! feedback circle, its testers. The program records its circle.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Circles {
    Table,
    Gate,
}

#[derive(DeriveIden, Clone, Copy)]
enum Posts {
    Table,
    Gate,
}

#[derive(DeriveIden, Clone, Copy)]
enum BetaPrograms {
    Table,
    FeedbackCircleId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (Circles::Table.into_iden(), Circles::Gate.into_iden(), 200),
            (Posts::Table.into_iden(), Posts::Gate.into_iden(), 200),
            (
                BetaPrograms::Table.into_iden(),
                BetaPrograms::FeedbackCircleId.into_iden(),
                36,
            ),
        ];
        for (table, column, len) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(column, len))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (
                BetaPrograms::Table.into_iden(),
                BetaPrograms::FeedbackCircleId.into_iden(),
            ),
            (Posts::Table.into_iden(), Posts::Gate.into_iden()),
            (Circles::Table.into_iden(), Circles::Gate.into_iden()),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
