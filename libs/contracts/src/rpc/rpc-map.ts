import { RpcSubject } from '../subjects';
import * as A from './auth.rpc';
import * as D from './devices.rpc';
import * as Tf from './two-factor.rpc';
import * as Pw from './password.rpc';
import * as Sa from './sign-in-alerts.rpc';
import * as Su from './step-up.rpc';
import * as Pr from './profiles.rpc';
import * as Dl from './downloads.rpc';

/** Subject → [request class, reply type]: what typed clients and handlers agree on. */
export interface RpcMap {
  [RpcSubject.createAccount]: [A.CreateAccountRequest, A.CreateAccountReply];
  [RpcSubject.login]: [A.LoginRequest, A.LoginReply];
  [RpcSubject.refresh]: [A.RefreshRequest, A.RefreshReply];
  [RpcSubject.logout]: [A.LogoutRequest, A.LogoutReply];
  [RpcSubject.stepUp]: [A.StepUpRequest, A.StepUpReply];
  [RpcSubject.sendStepUpEmailCode]: [Su.SendStepUpEmailCodeRequest, Su.SendStepUpEmailCodeReply];
  [RpcSubject.stepUpWithEmailCode]: [Su.EmailCodeStepUpRequest, A.StepUpReply];
  [RpcSubject.getMe]: [A.GetMeRequest, A.MeReply];
  [RpcSubject.listProfiles]: [Pr.ListProfilesRequest, Pr.ListProfilesReply];
  [RpcSubject.createProfile]: [Pr.CreateProfileRequest, Pr.CreateProfileReply];
  [RpcSubject.renameProfile]: [Pr.RenameProfileRequest, Pr.ProfileChangedReply];
  [RpcSubject.deleteProfile]: [Pr.DeleteProfileRequest, Pr.ProfileChangedReply];
  [RpcSubject.selectProfile]: [Pr.SelectProfileRequest, Pr.SelectProfileReply];
  [RpcSubject.revokeAllSessions]: [A.RevokeAllSessionsRequest, A.RevocationAccepted];
  [RpcSubject.signOutDevice]: [A.SignOutDeviceRequest, A.RevocationAccepted];
  [RpcSubject.changePassword]: [Pw.ChangePasswordRequest, Pw.ChangePasswordReply];
  [RpcSubject.requestPasswordReset]: [Pw.RequestPasswordResetRequest, Pw.RequestPasswordResetReply];
  [RpcSubject.confirmPasswordReset]: [Pw.ConfirmPasswordResetRequest, Pw.ConfirmPasswordResetReply];
  [RpcSubject.notMe]: [Sa.NotMeRequest, Sa.NotMeReply];
  [RpcSubject.getTwoFactorStatus]: [Tf.GetTwoFactorStatusRequest, Tf.TwoFactorStatusReply];
  [RpcSubject.beginTwoFactorEnrolment]: [Tf.BeginTwoFactorEnrolmentRequest, Tf.TwoFactorEnrolmentReply];
  [RpcSubject.confirmTwoFactor]: [Tf.ConfirmTwoFactorRequest, Tf.RecoveryCodesReply];
  [RpcSubject.disableTwoFactor]: [Tf.DisableTwoFactorRequest, Tf.TwoFactorDisabledReply];
  [RpcSubject.regenerateRecoveryCodes]: [Tf.RegenerateRecoveryCodesRequest, Tf.RecoveryCodesReply];
  [RpcSubject.stepUpWithOtp]: [Tf.OtpStepUpRequest, A.StepUpReply];
  [RpcSubject.listSigningKeys]: [A.ListSigningKeysRequest, A.ListSigningKeysReply];
  [RpcSubject.rotateSigningKeys]: [A.RotateSigningKeysRequest, A.RotateSigningKeysReply];
  [RpcSubject.listDevices]: [D.ListDevicesRequest, D.ListDevicesReply];
  [RpcSubject.getDeviceHistory]: [D.GetDeviceHistoryRequest, D.DeviceHistoryReply];
  [RpcSubject.getAccountHistory]: [D.GetAccountHistoryRequest, D.AccountHistoryReply];
  [RpcSubject.getRevocationProgress]: [D.GetRevocationProgressRequest, D.RevocationProgressReply];
  [RpcSubject.issueDownload]: [Dl.IssueDownloadRequest, Dl.DownloadLicence];
  [RpcSubject.listDownloads]: [Dl.ListDownloadsRequest, Dl.ListDownloadsReply];
  [RpcSubject.deleteDownload]: [Dl.DeleteDownloadRequest, Dl.DeleteDownloadReply];
}
export type RpcRequest<S extends keyof RpcMap> = RpcMap[S][0];
export type RpcReply<S extends keyof RpcMap> = RpcMap[S][1];
