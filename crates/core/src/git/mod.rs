//! Git's smart HTTP push, without I/O: what a push to `{base}/scm/{project}/{repo}.git` sends and
//! reads, as bytes in and bytes out.
//!
//! A push is two requests: `GET …/info/refs?service=git-receive-pack`, whose answer
//! [`Advertisement::parse`] reads (the refs and the server's capabilities), then
//! `POST …/git-receive-pack` with [`push_body`]: the ref updates (compare and swap on each ref's
//! old id; several refs move atomically) and a [pack](write_pack) of the new [objects](Object).
//! [`read_report`] reads the answer, side band included, and [`Report::outcome`] says whether
//! every ref moved or what the server refused, in its words. The commit's trees are planned from
//! Data Center's folder listings, without a clone ([`TreePlan`]), the modes of the files they keep
//! from a Data Center archive ([`archive_modes`]), or all at once from a fetch of the parent's trees
//! without file content ([`trees_request`], [`read_trees`]: a [`TreeSnapshot`]) where the server
//! allows filters.

pub mod advertisement;
pub mod archive_modes;
pub mod objects;
pub mod pack;
pub mod pack_read;
pub mod pkt_line;
pub mod receive_pack;
pub mod side_band;
pub mod snapshot;
pub mod tree_plan;
pub mod upload_pack;

pub use advertisement::{Advertisement, AdvertisementError, Capability};
pub use archive_modes::{archive_modes, ArchiveModeError};
pub use objects::{
    check_entry_name, Commit, FileMode, Object, ObjectError, ObjectId, ObjectIdError, ObjectKind,
    Signature, Tree, TreeEntry,
};
pub use pack::{write_pack, PackError};
pub use pack_read::{read_pack, PackReadError};
pub use receive_pack::{
    push_body, read_report, PushBody, PushRefused, PushRequestError, RefReport, RefStatus,
    RefUpdate, Report, ReportError,
};
pub use snapshot::{SnapshotEntry, SnapshotError, TreeSnapshot};
pub use tree_plan::{
    parse_listing_page, Change, ListedEntry, ListedKind, ListingPage, Listings, PlannedTrees,
    TreePlan, TreePlanError,
};
pub use upload_pack::{read_trees, trees_request, FetchError};
