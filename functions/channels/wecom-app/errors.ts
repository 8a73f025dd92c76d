import { ChannelRejectedError } from '../delivery/index.ts';
import { ERRCODE_UNTRUSTED_IP, WECOM_APP_ERRCODES } from './errcodes.ts';

/**
 * 60020: since 2022 WeCom accepts application API calls only from the application's trusted IPs, and a Lambda
 * outside a VPC has no fixed egress IP. Permanent until the deployment changes; the message says how.
 */
export class WecomAppUntrustedIpError extends ChannelRejectedError {
  override name = 'WecomAppUntrustedIpError';
  constructor(detail: string, target: string) {
    const { meaning, action } = WECOM_APP_ERRCODES.get(ERRCODE_UNTRUSTED_IP)!;
    super('wecom-app', ERRCODE_UNTRUSTED_IP, detail, `${meaning}; ${action}`, target);
  }
}
