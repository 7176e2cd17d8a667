//! Sans-IO protocol layer of the R7-Office portal REST API.

pub mod xml;
