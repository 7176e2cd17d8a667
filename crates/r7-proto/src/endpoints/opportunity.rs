//! Opportunity (deal) endpoints.

use http::Method;
use r7_model::Opportunity;

use super::positive_id;
use crate::endpoint::Endpoint;
use crate::error::BuildError;

/// `DELETE api/2.0/crm/opportunity/{opportunityid}`: deletes a deal and returns it as it was
/// deleted.
///
/// Requires authentication. The server answers 404 when the deal does not exist or the caller
/// cannot see it, 403 when the caller may not delete it, and 400 for an id of 0 (refused here
/// before sending). The returned deal has no members, custom fields or access list any more:
/// the server removes those with the deal.
///
/// Not [`Endpoint::IDEMPOTENT`]: a repeated delete answers 404, so a transport must not repeat it
/// on its own.
///
/// ```
/// use r7_proto::{DeleteOpportunity, Endpoint};
/// assert_eq!(DeleteOpportunity::PATH_TEMPLATE, "api/2.0/crm/opportunity/{opportunityid}");
/// let endpoint = DeleteOpportunity::new(1234);
/// assert_eq!(endpoint.opportunity_id, 1234);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeleteOpportunity {
    /// The deal's id (`opportunityid`), greater than 0.
    pub opportunity_id: i64,
}

impl DeleteOpportunity {
    /// Deletes the deal `opportunity_id`.
    pub fn new(opportunity_id: i64) -> Self {
        DeleteOpportunity { opportunity_id }
    }
}

impl Endpoint for DeleteOpportunity {
    type Output = Opportunity;
    const METHOD: Method = Method::DELETE;
    const PATH_TEMPLATE: &'static str = "api/2.0/crm/opportunity/{opportunityid}";

    fn validate(&self) -> Result<(), BuildError> {
        positive_id("opportunityid", self.opportunity_id)
    }

    fn path_param(&self, name: &str) -> Option<String> {
        (name == "opportunityid").then(|| self.opportunity_id.to_string())
    }
}

/// `GET api/2.0/crm/opportunity/{opportunityid}`: reads one deal.
///
/// Requires authentication. The server answers 404 when the deal does not exist or the caller
/// cannot see it, and 400 for an id of 0 (refused here before sending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetOpportunity {
    /// The deal's id (`opportunityid`), greater than 0.
    pub opportunity_id: i64,
}

impl GetOpportunity {
    /// Reads the deal `opportunity_id`.
    pub fn new(opportunity_id: i64) -> Self {
        GetOpportunity { opportunity_id }
    }
}

impl Endpoint for GetOpportunity {
    type Output = Opportunity;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "api/2.0/crm/opportunity/{opportunityid}";
    const IDEMPOTENT: bool = true;

    fn validate(&self) -> Result<(), BuildError> {
        positive_id("opportunityid", self.opportunity_id)
    }

    fn path_param(&self, name: &str) -> Option<String> {
        (name == "opportunityid").then(|| self.opportunity_id.to_string())
    }
}
