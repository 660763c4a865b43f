//! `agora seed-demo`: circles, users and posts in Chinese and English, so
//! that a new install shows a living plaza at once.
use entity::users;
use sea_orm::{EntityTrait, PaginatorTrait, TransactionTrait};

use super::{
    circles::{self, CircleInput},
    comments,
    dto::CircleKind,
    likes,
    posts::{self, NewPost},
};
use crate::ids::{CircleId, UserId};
use crate::{
    identity::{
        accounts::{open_account, NewAccount},
        password::{self, Password},
        phone::Phone,
        profiles::Nickname,
    },
    privacy::{catalog, notice},
    state::AppState,
};

/// Every demo account logs in with its phone number and this password.
pub const DEMO_PASSWORD: &str = "agora-demo-2026";

const CIRCLES: &[(&str, CircleKind, &str)] = &[
    (
        "Xiaomi 14",
        CircleKind::Product,
        "徕卡影像、澎湃OS，和一切关于小米14的讨论。",
    ),
    (
        "Redmi Note",
        CircleKind::Product,
        "Everything Redmi Note: tips, battery life, photos.",
    ),
    (
        "Xiaomi Pad",
        CircleKind::Product,
        "平板生产力与娱乐。Tablets for work and play.",
    ),
    ("北京同城会", CircleKind::City, "北京米粉线下活动与交流。"),
    ("上海同城会", CircleKind::City, "上海米粉的聚会地。"),
    (
        "摄影俱乐部",
        CircleKind::Club,
        "Photography club: share shots taken on your phone.",
    ),
];

const USERS: &[&str] = &[
    "雷军的粉丝",
    "小米摄影师",
    "Alex Chen",
    "数码达人",
    "Mia",
    "北京米粉",
    "上海阿强",
    "Tech Reviewer",
    "澎湃OS体验官",
    "Photo Nerd",
    "平板党",
    "Night Owl",
];

const POSTS: &[(&str, &str, Option<usize>)] = &[
    (
        "小米14 徕卡镜头夜景实测",
        "昨晚在外滩拍了几张夜景，**徕卡经典**模式的色彩太好看了。",
        Some(0),
    ),
    (
        "Battery life after a week with Redmi Note 13",
        "Two days of normal use on one charge. Fast charging is *fast*.",
        Some(1),
    ),
    (
        "澎湃OS 更新后流畅度提升明显",
        "动画更顺滑了，后台也更稳定。大家的体验如何？",
        Some(0),
    ),
    (
        "Xiaomi Pad 6 as a laptop replacement?",
        "Keyboard cover + WPS works surprisingly well for writing.",
        Some(2),
    ),
    (
        "周末北京米粉聚会报名",
        "本周六下午两点，望京，欢迎大家来玩！",
        Some(3),
    ),
    (
        "上海同城会 骑行活动",
        "周日滨江骑行，带上你的小米手环一起记录数据。",
        Some(4),
    ),
    (
        "Street photography with the 75mm lens",
        "The floating telephoto is perfect for candid shots.",
        Some(5),
    ),
    ("新人报到", "大家好，刚入手小米14，请多指教！", None),
    (
        "Which case do you use?",
        "Looking for a slim case that keeps the camera bump safe.",
        None,
    ),
    (
        "手机拍月亮教程",
        "打开专业模式，ISO 调到 100，快门 1/125，试试看。",
        Some(5),
    ),
    (
        "HyperOS widgets I can't live without",
        "Weather, battery and the new notes widget.",
        Some(0),
    ),
    (
        "红米 Note 游戏性能测试",
        "原神中画质稳定 50 帧左右，温度控制不错。",
        Some(1),
    ),
];

pub struct Seeded {
    pub users: Vec<(String, String)>,
    pub circles: usize,
    pub posts: usize,
}

/// Fills an empty database; refuses one that already has accounts.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<Seeded> {
    if users::Entity::find().count(&state.db).await? > 0 {
        anyhow::bail!("the database already has accounts: seed-demo fills only an empty one");
    }
    let mut circle_ids = Vec::new();
    for (name, kind, description) in CIRCLES {
        let input = CircleInput {
            name: Some((*name).into()),
            kind: Some(*kind),
            description: Some((*description).into()),
            icon_upload_id: None,
        };
        circle_ids.push(CircleId::from_stored(
            circles::create(&state.db, input).await?.id,
        ));
    }
    let account =
        catalog::purpose("account").ok_or_else(|| anyhow::anyhow!("no account purpose"))?;
    let mut accounts = Vec::new();
    let mut user_ids = Vec::new();
    for (i, nickname) in USERS.iter().enumerate() {
        // 170 0000 xxxx: a virtual-operator block, unlikely to reach anyone.
        let phone = Phone::parse(&format!("1700000{:04}", i + 1))?;
        let e164 = phone.e164().to_owned();
        let new = NewAccount {
            phone,
            nickname: Nickname::parse(nickname)?,
            accepted_notice_version: notice::version().into(),
            consents: vec![account],
        };
        let hash = password::hash(Password::parse(DEMO_PASSWORD)?).await?;
        // The same service as registration (without its SMS step): the
        // account is validated, its consent recorded and its profile indexed.
        let txn = state.db.begin().await?;
        let user = open_account(state, &txn, new, hash).await?;
        txn.commit().await?;
        accounts.push((e164, (*nickname).to_owned()));
        user_ids.push(UserId::from_stored(user.id));
    }
    for (i, user) in user_ids.iter().enumerate() {
        for circle in circle_ids.iter().skip(i % 3).step_by(2) {
            circles::join(&state.db, circle, user).await?;
        }
    }
    let mut post_count = 0;
    for (i, (title, body, circle)) in POSTS.iter().enumerate() {
        let author = &user_ids[i % user_ids.len()];
        let post = NewPost {
            client_id: None,
            circle_id: circle.map(|c| circle_ids[c].clone()),
            title: (*title).into(),
            body: (*body).into(),
            image_upload_ids: Vec::new(),
            device_model: (i % 3 == 0).then(|| "Xiaomi 14".into()),
            log_upload_id: None,
        };
        let post = posts::create(&state.db, author, post).await?;
        post_count += 1;
        for (j, fan) in user_ids.iter().enumerate().take((i * 5) % user_ids.len()) {
            likes::like_post(&state.db, fan, &post, true).await?;
            if j % 4 == 1 {
                let text = if j % 8 == 1 {
                    "说得好！"
                } else {
                    "Great post, thanks for sharing."
                };
                comments::create(&state.db, fan, &post, None, text).await?;
            }
        }
    }
    Ok(Seeded {
        users: accounts,
        circles: circle_ids.len(),
        posts: post_count,
    })
}
