//! Closed circles: a circle (and each post in it) may carry a gate,
//! `"<kind>:<key>"`, naming who besides staff sees it — a beta program's
//! feedback circle, its testers. The program records its circle; programs
//! opened before this get theirs here (the circle takes the program's id).
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
        let db = manager.get_connection();
        for statement in [
            "INSERT INTO circles (id, name, kind, description, member_count, post_count, \
             created_at, updated_at, gate) \
             SELECT id, substr(name, 1, 40) || ' · feedback · ' || substr(id, 31, 6), 'product', \
             'Feedback from the testers of ' || name || ': seen by its testers and staff only.', \
             0, 0, created_at, updated_at, 'beta_program:' || id \
             FROM beta_programs WHERE feedback_circle_id IS NULL",
            "UPDATE beta_programs SET feedback_circle_id = id WHERE feedback_circle_id IS NULL",
        ] {
            db.execute_unprepared(statement).await?;
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
