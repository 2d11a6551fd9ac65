using System.Diagnostics;
using NUnit.Framework;
using OpenCvSharp;
using Uino.Viewer.Live;
using Uino.Viewer.Sources;

namespace Uino.Viewer.Tests;

/// <summary>A camera that vanishes mid-run: the capture thread reconnects, or ends with a reason, and never hangs.</summary>
[TestFixture]
public sealed class SourceFaultTests
{
    /// <summary>A live source that delivers <c>framesBeforeLoss</c> frames, then fails (false or a thrown error) until reopened <c>comesBackAfter</c> times.</summary>
    private sealed class FlakyCamera(int framesBeforeLoss, int comesBackAfter, bool throws = false) : IFrameSource
    {
        private int delivered, reopenAttempts;
        private bool lost;
        public int ReopenAttempts => Volatile.Read(ref reopenAttempts);
        public int Delivered => Volatile.Read(ref delivered);
        public string Description => "camera 7";
        public int Width => 4;
        public int Height => 4;
        public double Fps => 30;
        public bool IsLive => true;

        public bool Read(Mat into)
        {
            if (lost || delivered == framesBeforeLoss && (lost = true))
            {
                if (throws) throw new InvalidOperationException("VIDIOC_DQBUF: No such device");
                return false;
            }
            Thread.Sleep(2);   // a camera paces itself
            into.Create(Height, Width, MatType.CV_8UC3);
            into.SetTo(new Scalar(delivered % 256));
            Interlocked.Increment(ref delivered);
            return true;
        }

        public bool Rewind() => false;

        public bool Reopen()
        {
            if (Interlocked.Increment(ref reopenAttempts) < comesBackAfter) return false;
            framesBeforeLoss = int.MaxValue;
            lost = false;
            return true;
        }

        public void Dispose() { }
    }

    private static (CaptureLoop Loop, LatestSlot<Frame> Slot, ItemPool<Frame> Pool) Start(IFrameSource source, TimeSpan reconnectFor)
    {
        var pool = new ItemPool<Frame>(() => new Frame(), f => f.Image.Dispose());
        var slot = new LatestSlot<Frame>();
        var loop = new CaptureLoop(source, loop: false, slot, pool, reconnectFor, firstPause: TimeSpan.FromMilliseconds(20));
        loop.Start();
        return (loop, slot, pool);
    }

    private static void WaitFor(Func<bool> condition, string what, double seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds) Assert.Fail($"Timed out waiting for: {what}");
            Thread.Sleep(5);
        }
    }

    private static void Stop((CaptureLoop Loop, LatestSlot<Frame> Slot, ItemPool<Frame> Pool) run)
    {
        run.Slot.Close();
        run.Loop.Dispose();
        run.Slot.Dispose();
        run.Pool.Dispose();
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ACameraThatComesBackIsReopenedAndFramesFlowAgain(bool throws)
    {
        var camera = new FlakyCamera(framesBeforeLoss: 5, comesBackAfter: 3, throws);
        var run = Start(camera, TimeSpan.FromSeconds(30));
        try
        {
            WaitFor(() => run.Loop.Problem is not null, "the loss to be reported");
            var problem = run.Loop.Problem;
            Assert.That(problem, Does.StartWith("camera 7 stopped delivering frames").And.Contain("reconnecting (attempt"));
            if (throws) Assert.That(problem, Does.Contain("VIDIOC_DQBUF: No such device"), "the driver's reason is shown");
            WaitFor(() => camera.Delivered >= 20, "frames after the reconnect");
            Assert.Multiple(() =>
            {
                Assert.That(run.Loop.Reconnects, Is.EqualTo(1));
                Assert.That(camera.ReopenAttempts, Is.EqualTo(3));
                Assert.That(run.Loop.Problem, Is.Null, "the HUD's problem line clears once frames flow again");
                Assert.That(run.Loop.Ended, Is.False);
                Assert.That(run.Loop.Rate.Total, Is.GreaterThanOrEqualTo(20));
            });
        }
        finally { Stop(run); }
    }

    [Test]
    public void ACameraThatStaysAwayEndsTheCaptureWithTheReasonAfterTheReconnectTime()
    {
        var camera = new FlakyCamera(framesBeforeLoss: 3, comesBackAfter: int.MaxValue);
        var clock = Stopwatch.StartNew();
        var run = Start(camera, TimeSpan.FromSeconds(0.4));
        try
        {
            WaitFor(() => run.Loop.Ended, "the capture to end");
            Assert.Multiple(() =>
            {
                Assert.That(clock.Elapsed.TotalSeconds, Is.InRange(0.4, 5), "ends once the reconnect time is up, not before and not much later");
                Assert.That(run.Loop.Problem, Is.EqualTo("camera 7 stopped delivering frames; gave up after 0.4 s"));
                Assert.That(camera.ReopenAttempts, Is.GreaterThanOrEqualTo(1), "it tried before giving up");
                Assert.That(run.Loop.Rate.Total, Is.EqualTo(3));
            });
        }
        finally { Stop(run); }
    }

    [Test]
    public void WithoutAReconnectTimeALostCameraEndsAtOnce()
    {
        var camera = new FlakyCamera(framesBeforeLoss: 2, comesBackAfter: 1);
        var run = Start(camera, TimeSpan.Zero);
        try
        {
            WaitFor(() => run.Loop.Ended, "the capture to end");
            Assert.That(run.Loop.Problem, Is.EqualTo("camera 7 stopped delivering frames"));
            Assert.That(camera.ReopenAttempts, Is.Zero);
        }
        finally { Stop(run); }
    }

    [Test]
    public void ClosingTheViewerWhileItWaitsForTheCameraReturnsPromptly()
    {
        var camera = new FlakyCamera(framesBeforeLoss: 1, comesBackAfter: int.MaxValue);
        var run = Start(camera, TimeSpan.FromHours(1));
        WaitFor(() => run.Loop.Problem is not null, "the loss to be reported");
        var clock = Stopwatch.StartNew();
        Stop(run);
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(1), "Dispose must interrupt the pause before the next reopen");
        Assert.That(run.Loop.Ended, Is.True);
    }
}
